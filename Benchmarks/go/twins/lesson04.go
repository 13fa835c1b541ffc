// Lesson 4's Go twin (netbench twins): a TCP proxy that knows how both of its copies end, as
// the lesson README's Go column writes it (io.Copy both ways, CloseWrite after each).
// Usage: lesson04 -listen HOST:PORT -upstream HOST:PORT   (prints "netlab: listening on HOST:PORT")
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	upstream := flag.String("upstream", "", "address of the upstream server")
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
		go proxyConn(conn, *upstream)
	}
}

func proxyConn(conn net.Conn, addr string) {
	defer conn.Close()
	log.Printf("accepted %v", conn.RemoteAddr())
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
	io.Copy(conn, upstream) // upstream → client, spliced
	conn.(*net.TCPConn).CloseWrite()
	<-done
	log.Printf("closed %v", conn.RemoteAddr())
}
