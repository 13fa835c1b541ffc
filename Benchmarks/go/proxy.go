// Go baseline: a TCP proxy with io.Copy both ways and CloseWrite, like NetCore's copy(from:to:).
// Usage: go run proxy.go LISTEN TARGET   (prints "port N" once listening)
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
	target := os.Args[2]
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
	for {
		c, err := ln.Accept()
		if err != nil { // EMFILE and friends: back off as net/http does
			time.Sleep(5 * time.Millisecond)
			continue
		}
		go func(client *net.TCPConn) {
			defer client.Close()
			up, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			upstream := up.(*net.TCPConn)
			defer upstream.Close()
			done := make(chan struct{})
			go func() {
				io.Copy(upstream, client)
				upstream.CloseWrite()
				close(done)
			}()
			io.Copy(client, upstream)
			client.CloseWrite()
			<-done
		}(c.(*net.TCPConn))
	}
}
