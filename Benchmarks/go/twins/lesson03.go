// Lesson 3's Go twin (netbench twins): an echo with an idle timeout on every read and write,
// as the lesson README's Go column writes it.
// Usage: lesson03 -listen HOST:PORT [-idle-timeout 5s]   (prints "netlab: listening on HOST:PORT")
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	idle := flag.Duration("idle-timeout", 5*time.Second, "close a connection quiet for this long")
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
		go serviceConn(conn, *idle)
	}
}

func serviceConn(conn net.Conn, idle time.Duration) {
	defer conn.Close()
	log.Printf("accepted %v", conn.RemoteAddr())
	buf := make([]byte, 32*1024)
	for {
		conn.SetReadDeadline(time.Now().Add(idle))
		n, err := conn.Read(buf)
		if n > 0 {
			conn.SetWriteDeadline(time.Now().Add(idle))
			if _, werr := conn.Write(buf[:n]); werr != nil {
				log.Print(werr)
				return
			}
		}
		if err != nil { // io.EOF, or a timeout
			log.Print(err)
			return
		}
	}
}
