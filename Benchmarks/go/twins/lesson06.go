// Lesson 6's Go twin (netbench twins): an SNI router that replays the ClientHello it sniffed,
// as the lesson README's Go column writes it: lesson 5's reader through an io.TeeReader, then
// prefixConn{io.MultiReader(&buf, conn), conn} proxied with io.Copy both ways. The README's
// parser uses golang.org/x/crypto/cryptobyte; this twin is standard library only, so the same
// walk is spelled with encoding/binary.
// Usage: lesson06 -listen HOST:PORT -route NAME=HOST:PORT ...   (prints "netlab: listening on HOST:PORT")
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"time"
)

type routeFlags map[string]string

func (r routeFlags) String() string { return fmt.Sprint(map[string]string(r)) }
func (r routeFlags) Set(v string) error {
	name, addr, ok := strings.Cut(v, "=")
	if !ok {
		return errors.New("want NAME=HOST:PORT")
	}
	if _, seen := r[strings.ToLower(name)]; !seen {
		r[strings.ToLower(name)] = addr
	}
	return nil
}

// prefixConn reads the bytes already read first, then the conn.
type prefixConn struct {
	io.Reader // the MultiReader: the bytes already read, then the conn
	net.Conn  // everything else: Write, Close, deadlines, addresses
}

// Both embedded fields have a Read method, so Go wants this one spelled out.
func (c prefixConn) Read(b []byte) (int, error) { return c.Reader.Read(b) }

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	routes := routeFlags{}
	flag.Var(routes, "route", "send requests for NAME to HOST:PORT (repeatable)")
	flag.Parse()
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("netlab: listening on %v\n", l.Addr())
	for {
		conn, err := l.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Temporary() {
				log.Print(err)
				time.Sleep(100 * time.Millisecond)
				continue
			}
			log.Fatal(err)
		}
		go route(conn, routes)
	}
}

func route(conn net.Conn, routes routeFlags) {
	defer conn.Close()
	log.Printf("accepted %v", conn.RemoteAddr())
	var buf bytes.Buffer
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	hello, err := readClientHello(io.TeeReader(conn, &buf))
	if err != nil {
		log.Print(err)
		return
	}
	conn.SetReadDeadline(time.Time{})
	name, err := serverName(hello)
	if err != nil {
		log.Print(err)
		return
	}
	addr, ok := routes[strings.ToLower(name)]
	if !ok {
		log.Printf("no route for %q", name)
		return
	}
	proxyConn(prefixConn{Reader: io.MultiReader(&buf, conn), Conn: conn}, addr)
}

// proxyConn is lesson 4's.
func proxyConn(conn net.Conn, addr string) {
	upstream, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		log.Print(err)
		return
	}
	defer upstream.Close()
	done := make(chan struct{})
	go func() {
		io.Copy(upstream, conn) // client → upstream
		upstream.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(conn, upstream) // upstream → client
	if pc, ok := conn.(prefixConn); ok {
		pc.Conn.(*net.TCPConn).CloseWrite()
	}
	<-done
}

// readClientHello is lesson 5's: handshake records until one whole ClientHello is there.
func readClientHello(r io.Reader) ([]byte, error) {
	var msg []byte
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, err
		}
		n := int(binary.BigEndian.Uint16(hdr[3:]))
		if hdr[0] != 22 || n == 0 || n > 1<<14 {
			return nil, errors.New("not a handshake record")
		}
		frag := make([]byte, n)
		if _, err := io.ReadFull(r, frag); err != nil {
			return nil, err
		}
		msg = append(msg, frag...)
		if len(msg) >= 4 {
			if msg[0] != 1 {
				return nil, errors.New("not a ClientHello")
			}
			length := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
			if length > 64*1024-4 {
				return nil, errors.New("ClientHello too long")
			}
			if len(msg) >= 4+length {
				return msg[:4+length], nil
			}
		}
	}
}

// field reads a length-prefixed field of `size` length bytes from the front of *s.
func field(s *[]byte, size int) ([]byte, bool) {
	if len(*s) < size {
		return nil, false
	}
	n := 0
	for _, b := range (*s)[:size] {
		n = n<<8 | int(b)
	}
	if len(*s) < size+n {
		return nil, false
	}
	f := (*s)[size : size+n]
	*s = (*s)[size+n:]
	return f, true
}

// serverName walks the ClientHello as lesson 5's parser does.
func serverName(msg []byte) (string, error) {
	malformed := errors.New("malformed ClientHello")
	if len(msg) < 4 || msg[0] != 1 {
		return "", malformed
	}
	s := msg[1:]
	hello, ok := field(&s, 3)
	if !ok || len(s) != 0 || len(hello) < 34 {
		return "", malformed
	}
	hello = hello[34:]                  // legacy_version, random
	if _, ok := field(&hello, 1); !ok { // session id
		return "", malformed
	}
	if _, ok := field(&hello, 2); !ok { // cipher suites
		return "", malformed
	}
	if _, ok := field(&hello, 1); !ok { // compression methods
		return "", malformed
	}
	if len(hello) == 0 {
		return "", nil
	}
	exts, ok := field(&hello, 2)
	if !ok {
		return "", malformed
	}
	seen := map[uint16]bool{}
	name := ""
	for len(exts) > 0 {
		if len(exts) < 2 {
			return "", malformed
		}
		typ := binary.BigEndian.Uint16(exts)
		exts = exts[2:]
		data, ok := field(&exts, 2)
		if !ok || seen[typ] {
			return "", malformed
		}
		seen[typ] = true
		if typ != 0 {
			continue
		}
		list, ok := field(&data, 2)
		if !ok {
			return "", malformed
		}
		for len(list) > 0 {
			kind := list[0]
			list = list[1:]
			host, ok := field(&list, 2)
			if !ok {
				return "", malformed
			}
			if kind == 0 {
				name = string(host)
			}
		}
	}
	return name, nil
}
