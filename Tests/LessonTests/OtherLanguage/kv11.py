# Lesson 11 from its README alone: one thread, level-triggered epoll, buffers both ways, and no
# reading from a conn while 1 MiB of its replies waits.
import select
import socket

from kvcommon import answer_frames, listen_address, log

OUT_LIMIT = 1 << 20

host, port = listen_address("kv11")
listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((host, port))
listener.listen(4096)
listener.setblocking(False)
print(f"netlab: listening on {host}:{listener.getsockname()[1]}", flush=True)
epoll = select.epoll()
epoll.register(listener.fileno(), select.EPOLLIN)
conns, store = {}, {}


def close(fd, reason=None):
    conn = conns.pop(fd)
    epoll.unregister(fd)
    conn["sock"].close()
    log(f"closed {conn['addr']}" + (f": {reason}" if reason else ""))


def handle(fd, events):
    conn = conns[fd]
    if events & (select.EPOLLIN | select.EPOLLHUP | select.EPOLLERR) and len(conn["out"]) < OUT_LIMIT:
        data = conn["sock"].recv(65536)
        if not data:
            if conn["in"]:
                log(f"error: {conn['addr']}: the stream ended within a frame")
            close(fd)
            return
        conn["in"] += data
    while True:  # answer, write, and again while writing made room: buffered requests bring no event
        conn["out"] += answer_frames(conn["in"], store, OUT_LIMIT - len(conn["out"]))
        pending = len(conn["out"])
        try:
            while conn["out"]:
                del conn["out"][:conn["sock"].send(conn["out"])]
        except BlockingIOError:
            pass
        if len(conn["out"]) == pending or len(conn["out"]) >= OUT_LIMIT or not conn["in"]:
            break
    wanted = (select.EPOLLIN if len(conn["out"]) < OUT_LIMIT else 0) | (select.EPOLLOUT if conn["out"] else 0)
    epoll.modify(fd, wanted)


while True:
    for fd, events in epoll.poll():
        if fd == listener.fileno():
            while True:
                try:
                    sock, addr = listener.accept()
                except BlockingIOError:
                    break
                sock.setblocking(False)
                conns[sock.fileno()] = {"sock": sock, "addr": f"{addr[0]}:{addr[1]}", "in": bytearray(), "out": bytearray()}
                epoll.register(sock.fileno(), select.EPOLLIN)
                log(f"accepted {conns[sock.fileno()]['addr']}")
        elif fd in conns:
            try:
                handle(fd, events)
            except (ValueError, UnicodeDecodeError) as e:
                log(f"error: {conns[fd]['addr']}: {e}")
                close(fd)
            except OSError as e:
                close(fd, (e.strerror or str(e)).lower())
