// Lessons 8–11's Go twin (netbench twins): the key-value server of docs/kv-protocol.md as Go
// writes it, a goroutine per connection, io.ReadFull for the header and the body (on the conn,
// as lesson 8's README does: two reads a frame), one write a reply, and one sync.Mutex around
// the map. With -bufio, a bufio.Reader and a bufio.Writer sit on the conn (one read for a
// request that arrives whole, and pipelined replies share a write). Lessons 9–11 build the same
// server with threads, busy waiting and epoll; Go's runtime is the event loop they build by
// hand, so this one program is the bar for all four.
// Usage: lesson08 -listen HOST:PORT [-bufio]   (prints "netlab: listening on HOST:PORT")
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"unicode/utf8"
)

const maxFrame = 1 << 20

var footer = []byte("\r\n\r\n")

type message struct {
	key, value   []byte
	kind, status uint64
}

type store struct {
	mu sync.Mutex
	m  map[string][]byte
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	buffered := flag.Bool("bufio", false, "read and write through bufio")
	flag.Parse()
	log.SetFlags(0)
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("netlab: listening on %v\n", l.Addr())
	s := &store{m: map[string][]byte{}}
	for {
		conn, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go s.serve(conn, *buffered)
	}
}

func (s *store) serve(conn net.Conn, buffered bool) {
	defer conn.Close()
	log.Printf("accepted %v", conn.RemoteAddr())
	var r io.Reader = conn
	var w io.Writer = conn
	var br *bufio.Reader
	var bw *bufio.Writer
	if buffered {
		br, bw = bufio.NewReaderSize(conn, 32*1024), bufio.NewWriterSize(conn, 32*1024)
		r, w = br, bw
	}
	var header [4]byte
	for {
		if _, err := io.ReadFull(r, header[:]); err != nil {
			if err != io.EOF {
				log.Printf("error: %v: %v", conn.RemoteAddr(), err)
			}
			break
		}
		length := binary.LittleEndian.Uint32(header[:])
		if length < 4 || length > maxFrame {
			log.Printf("error: %v: frame length %d", conn.RemoteAddr(), length)
			break
		}
		frame := make([]byte, length)
		if _, err := io.ReadFull(r, frame); err != nil {
			log.Printf("error: %v: %v", conn.RemoteAddr(), err)
			break
		}
		body, tail := frame[:length-4], frame[length-4:]
		req, err := decode(body)
		if err == nil && string(tail) != string(footer) {
			err = errors.New("bad footer")
		}
		if err != nil {
			log.Printf("error: %v: %v", conn.RemoteAddr(), err)
			break
		}
		if _, err := w.Write(frameOf(s.apply(req))); err != nil {
			break
		}
		// Flush when nothing more is waiting: pipelined requests share one write.
		if bw != nil && br.Buffered() == 0 {
			if err := bw.Flush(); err != nil {
				break
			}
		}
	}
	if bw != nil {
		bw.Flush()
	}
	log.Printf("closed %v", conn.RemoteAddr())
}

func (s *store) apply(req message) message {
	reply := message{key: req.key, kind: req.kind}
	switch req.kind {
	case 1:
		s.mu.Lock()
		s.m[string(req.key)] = append([]byte(nil), req.value...)
		s.mu.Unlock()
	case 2:
		s.mu.Lock()
		v, ok := s.m[string(req.key)]
		s.mu.Unlock()
		if ok {
			reply.value = v
		} else {
			reply.status = 1
		}
	default:
		reply.status = 1
	}
	return reply
}

func frameOf(m message) []byte {
	body := make([]byte, 4, 32+len(m.key)+len(m.value))
	body = field(body, 1, m.key)
	body = field(body, 2, m.value)
	if m.kind != 0 {
		body = binary.AppendUvarint(append(body, 3<<3), m.kind)
	}
	if m.status != 0 {
		body = binary.AppendUvarint(append(body, 4<<3), m.status)
	}
	body = append(body, footer...)
	binary.LittleEndian.PutUint32(body, uint32(len(body)-4))
	return body
}

func field(b []byte, number int, value []byte) []byte {
	if len(value) == 0 {
		return b
	}
	b = binary.AppendUvarint(append(b, byte(number<<3|2)), uint64(len(value)))
	return append(b, value...)
}

var errMalformed = errors.New("malformed body")

func decode(b []byte) (message, error) {
	var m message
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return m, errMalformed
		}
		b = b[n:]
		number, wire := tag>>3, tag&7
		switch wire {
		case 0:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return m, errMalformed
			}
			b = b[n:]
			if (number == 3 || number == 4) && v > 0xffffffff {
				return m, errMalformed
			}
			if number == 3 {
				m.kind = v
			} else if number == 4 {
				m.status = v
			}
		case 1, 5:
			size := 8
			if wire == 5 {
				size = 4
			}
			if len(b) < size {
				return m, errMalformed
			}
			b = b[size:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return m, errMalformed
			}
			value := b[n : n+int(l)]
			b = b[n+int(l):]
			if number == 1 || number == 2 {
				if !utf8.Valid(value) {
					return m, errMalformed
				}
				if number == 1 {
					m.key = value
				} else {
					m.value = value
				}
			}
		default:
			return m, errMalformed
		}
	}
	return m, nil
}
