// Lesson 13's Go twin (netbench twins): the WebSocket chat as Go writes it, in the shape of
// gorilla/websocket's chat example (a hub goroutine with register, unregister and broadcast
// channels; a read pump and a write pump per client; a buffered send channel, and a client whose
// channel is full is dropped), with RFC 6455 framing written here because netbench's Go
// programs use the standard library only. It does what the fan-out bench exercises (the
// handshake, framing, the hub, the queues, pings); unlike the lesson's reference it sends no
// close codes and skips some of RFC 6455's checks, so it is a bench twin, not a lesson answer.
// Usage: lesson13 -listen HOST:PORT [-send-queue 16] [-read-limit 4096] [-ping-interval 10s]
package main

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

type frame struct {
	opcode  byte
	payload []byte
}

type client struct {
	conn net.Conn
	send chan frame
	mu   sync.Mutex // around w: the write pump's frames and the read pump's pongs
	w    *bufio.Writer
}

type hub struct {
	register, unregister chan *client
	broadcast            chan frame
	clients              map[*client]bool
}

func (h *hub) run() {
	for {
		select {
		case c := <-h.register:
			h.clients[c] = true
		case c := <-h.unregister:
			if h.clients[c] {
				delete(h.clients, c)
				close(c.send)
			}
		case f := <-h.broadcast:
			for c := range h.clients {
				select {
				case c.send <- f:
				default: // too slow: dropped, with a close the write pump sends
					log.Printf("dropped %v: send queue full", c.conn.RemoteAddr())
					delete(h.clients, c)
					close(c.send)
				}
			}
		}
	}
}

var (
	sendQueue = flag.Int("send-queue", 16, "messages queued for a client before it is dropped")
	readLimit = flag.Int("read-limit", 4096, "the largest message accepted")
	pingEvery = flag.Duration("ping-interval", 10*time.Second, "ping every client this often")
	pongWait  = flag.Duration("pong-timeout", 5*time.Second, "close a client silent this long after a ping")
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	log.SetFlags(0)
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("netlab: listening on %v\n", l.Addr())
	h := &hub{make(chan *client), make(chan *client), make(chan frame), map[*client]bool{}}
	go h.run()
	for {
		conn, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(h, conn)
	}
}

func serve(h *hub, conn net.Conn) {
	r := bufio.NewReaderSize(conn, 8192)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	req, err := http.ReadRequest(r)
	if err != nil || !strings.EqualFold(req.Header.Get("Upgrade"), "websocket") || req.Header.Get("Sec-WebSocket-Key") == "" {
		conn.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		conn.Close()
		return
	}
	// Registered before the 101 goes out: a message sent the moment a client has its 101
	// reaches everyone who has theirs.
	c := &client{conn: conn, send: make(chan frame, *sendQueue), w: bufio.NewWriterSize(conn, 32*1024)}
	h.register <- c
	sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + guid))
	conn.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"))
	conn.SetReadDeadline(time.Time{})
	log.Printf("joined %v", conn.RemoteAddr())
	go c.writePump()
	code := c.readPump(r, h)
	h.unregister <- c
	log.Printf("left %v: %d", conn.RemoteAddr(), code)
}

// readPump reads messages (fragments joined, pings answered by the write pump's queue) and
// hands each to the hub; it returns the close code it ended with.
func (c *client) readPump(r *bufio.Reader, h *hub) int {
	var message []byte
	var kind byte
	for {
		fin, opcode, payload, err := readFrame(r, *readLimit-len(message))
		if err != nil {
			if errors.Is(err, errTooBig) {
				return 1009
			}
			return 1006
		}
		switch opcode {
		case 0x8:
			return 1000
		case 0x9:
			c.mu.Lock() // answered at once, as the README says
			writeFrame(c.w, 0xA, payload)
			c.w.Flush()
			c.mu.Unlock()
			continue
		case 0xA:
			c.conn.SetReadDeadline(time.Time{})
			continue
		case 0x1, 0x2:
			if message != nil {
				return 1002
			}
			kind, message = opcode, append([]byte{}, payload...)
		case 0x0:
			if message == nil {
				return 1002
			}
			message = append(message, payload...)
		default:
			return 1002
		}
		if fin {
			if kind == 0x1 && !utf8.Valid(message) {
				return 1007
			}
			h.broadcast <- frame{kind, message}
			message = nil
		}
	}
}

func (c *client) writePump() {
	ticker := time.NewTicker(*pingEvery)
	defer ticker.Stop()
	for {
		select {
		case f, ok := <-c.send:
			c.mu.Lock()
			if !ok {
				writeFrame(c.w, 0x8, []byte{0x03, 0xf0}) // 1008
				c.w.Flush()
				c.mu.Unlock()
				c.conn.Close()
				return
			}
			writeFrame(c.w, f.opcode, f.payload)
			// Everything already queued goes out in the same write.
			for n := len(c.send); n > 0; n-- {
				if f, ok := <-c.send; ok {
					writeFrame(c.w, f.opcode, f.payload)
				}
			}
			err := c.w.Flush()
			c.mu.Unlock()
			if err != nil {
				c.conn.Close()
				return
			}
		case <-ticker.C:
			c.mu.Lock()
			writeFrame(c.w, 0x9, nil)
			err := c.w.Flush()
			c.mu.Unlock()
			if err != nil {
				return
			}
			c.conn.SetReadDeadline(time.Now().Add(*pongWait))
		}
	}
}

var errTooBig = errors.New("message too big")

func readFrame(r *bufio.Reader, limit int) (fin bool, opcode byte, payload []byte, err error) {
	var head [2]byte
	if _, err = io.ReadFull(r, head[:]); err != nil {
		return
	}
	fin, opcode = head[0]&0x80 != 0, head[0]&0x0f
	if head[1]&0x80 == 0 || head[0]&0x70 != 0 {
		return fin, opcode, nil, errors.New("protocol error")
	}
	length := uint64(head[1] & 0x7f)
	switch length {
	case 126:
		var b [2]byte
		_, err = io.ReadFull(r, b[:])
		length = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		_, err = io.ReadFull(r, b[:])
		length = binary.BigEndian.Uint64(b[:])
	}
	if err != nil {
		return
	}
	if opcode < 8 && length > uint64(limit) {
		return fin, opcode, nil, errTooBig
	}
	var mask [4]byte
	if _, err = io.ReadFull(r, mask[:]); err != nil {
		return
	}
	payload = make([]byte, length)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	for i := range payload {
		payload[i] ^= mask[i&3]
	}
	return
}

func writeFrame(w io.Writer, opcode byte, payload []byte) {
	head := make([]byte, 2, 10+len(payload))
	head[0] = 0x80 | opcode
	switch n := len(payload); {
	case n < 126:
		head[1] = byte(n)
	case n < 1<<16:
		head[1] = 126
		head = binary.BigEndian.AppendUint16(head, uint16(n))
	default:
		head[1] = 127
		head = binary.BigEndian.AppendUint64(head, uint64(n))
	}
	w.Write(append(head, payload...))
}
