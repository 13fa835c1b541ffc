// Lesson 2's Go twin (netbench twins): a goroutine per connection, as the lesson README's Go
// column writes it: `go serviceConn(conn)` with `io.Copy(conn, conn)`. With -loop, the
// handler is the other usual Go echo instead, a 32 KiB read/write loop.
// Usage: lesson02 -listen HOST:PORT [-loop]   (prints "netlab: listening on HOST:PORT")
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"time"
)

var loop = flag.Bool("loop", false, "echo with a 32 KiB read/write loop instead of io.Copy")

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
		go serviceConn(conn) // at once: no work here
	}
}

func serviceConn(conn net.Conn) {
	defer conn.Close() // how this goroutine ends
	log.Printf("accepted %v", conn.RemoteAddr())
	if !*loop {
		n, err := io.Copy(conn, conn)
		log.Printf("closed %v after %d bytes (%v)", conn.RemoteAddr(), n, err)
		return
	}
	buf := make([]byte, 32*1024)
	total := 0
	for {
		n, err := conn.Read(buf)
		if n > 0 {
			if _, werr := conn.Write(buf[:n]); werr != nil {
				log.Printf("closed %v after %d bytes (%v)", conn.RemoteAddr(), total, werr)
				return
			}
			total += n
		}
		if err != nil {
			log.Printf("closed %v after %d bytes (%v)", conn.RemoteAddr(), total, err)
			return
		}
	}
}
