// Go baseline: an echo server, one goroutine per connection.
// Usage: go run echo.go LISTEN [buf|copy]
//
//	buf:  a 32 KiB read buffer per connection, Read then Write (the usual echo loop)
//	copy: io.Copy(conn, conn) (which splices on Linux)
//
// Prints "port N" once listening.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		panic(err)
	}
	mode := "buf"
	if len(os.Args) > 2 {
		mode = os.Args[2]
	}
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
	for {
		c, err := ln.Accept()
		if err != nil { // EMFILE and friends: back off as net/http does
			time.Sleep(5 * time.Millisecond)
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			if mode == "copy" {
				io.Copy(c, c)
				return
			}
			buf := make([]byte, 32*1024)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}(c)
	}
}
