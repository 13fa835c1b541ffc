# Lesson 10 from its README alone: one thread, non-blocking sockets, a loop that never waits.
import socket

from kvcommon import answer_frames, listen_address, log

host, port = listen_address("kv10")
listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((host, port))
listener.listen(1024)
listener.setblocking(False)
print(f"netlab: listening on {host}:{listener.getsockname()[1]}", flush=True)


class Client:
    def __init__(self, sock, addr):
        self.sock, self.addr = sock, f"{addr[0]}:{addr[1]}"
        self.inbuf, self.outbuf, self.closed = bytearray(), bytearray(), False

    def close(self, reason=None):
        self.sock.close()
        self.closed = True
        log(f"closed {self.addr}" + (f": {reason}" if reason else ""))

    def flush(self):
        while self.outbuf:
            del self.outbuf[:self.sock.send(self.outbuf)]

    def turn(self, store):
        try:
            self.flush()
            data = self.sock.recv(65536)
            if not data:
                if self.inbuf:
                    log(f"error: {self.addr}: the stream ended within a frame")
                self.close()
                return
            self.inbuf += data
            self.outbuf += answer_frames(self.inbuf, store)
            self.flush()
        except BlockingIOError:
            pass  # nothing yet
        except (ValueError, UnicodeDecodeError) as e:
            log(f"error: {self.addr}: {e}")
            self.close()
        except OSError as e:
            self.close((e.strerror or str(e)).lower())


store, clients = {}, []
while True:
    try:
        sock, addr = listener.accept()
        sock.setblocking(False)
        clients.append(Client(sock, addr))
        log(f"accepted {clients[-1].addr}")
    except BlockingIOError:
        pass  # nobody new
    for client in clients:
        client.turn(store)
    clients = [c for c in clients if not c.closed]
