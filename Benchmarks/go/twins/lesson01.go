// Lesson 1's Go twin (netbench twins): an accept loop that echoes, one connection at a time,
// as the lesson README's Go column writes it.
// Usage: lesson01 -listen HOST:PORT   (prints "netlab: listening on HOST:PORT")
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
		log.Printf("accepted %v", conn.RemoteAddr())
		n, err := io.Copy(conn, conn)
		log.Printf("closed %v after %d bytes (%v)", conn.RemoteAddr(), n, err)
		conn.Close()
	}
}
