// Lesson 7's Go twin (netbench twins): terminate TLS on a prefix conn and proxy the plaintext,
// as the lesson README's Go column writes it: sniff one byte under a deadline, tls.Server over
// prefixConn{io.MultiReader(first, conn), conn}, Handshake, then lesson 4's proxyConn, with
// CloseWrite (close_notify on the TLS side) after each direction.
// Usage: lesson07 -listen HOST:PORT -upstream HOST:PORT -cert FILE -key FILE
// (prints "netlab: listening on HOST:PORT")
package main

import (
	"bytes"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"time"
)

type prefixConn struct {
	io.Reader
	net.Conn
}

func (c prefixConn) Read(b []byte) (int, error) { return c.Reader.Read(b) }

type closeWriter interface{ CloseWrite() error }

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	upstream := flag.String("upstream", "", "address of the upstream server")
	certFile := flag.String("cert", "", "PEM certificate file")
	keyFile := flag.String("key", "", "PEM private key file")
	flag.Parse()
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	config := &tls.Config{Certificates: []tls.Certificate{cert}}
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
		go terminate(conn, config, *upstream)
	}
}

func terminate(conn net.Conn, config *tls.Config, upstreamAddr string) {
	defer conn.Close()
	log.Printf("accepted %v", conn.RemoteAddr())
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	var first [1]byte
	if _, err := io.ReadFull(conn, first[:]); err != nil || first[0] != 0x16 {
		return
	}
	tlsConn := tls.Server(prefixConn{io.MultiReader(bytes.NewReader(first[:]), conn), conn}, config)
	if err := tlsConn.Handshake(); err != nil {
		log.Print(err)
		return
	}
	conn.SetDeadline(time.Time{})
	proxyConn(tlsConn, upstreamAddr)
}

// proxyConn is lesson 4's, with CloseWrite through an interface so that it takes a *tls.Conn.
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
	conn.(closeWriter).CloseWrite()
	<-done
}
