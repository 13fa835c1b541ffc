// Go baseline: a crypto/tls server speaking the benchmark's tiny HTTP/1.0-like protocol:
// the client sends "GET /N HTTP/1.0\r\n\r\n", the server answers a header and N zero bytes,
// then closes (with close_notify). The same protocol as openssl s_server -WWW and NetCore's
// serve-tls, so one client measures all three.
// Usage: go run tlsserver.go LISTEN CERT.pem KEY.pem   (prints "port N" once listening)
package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	cert, err := tls.LoadX509KeyPair(os.Args[2], os.Args[3])
	if err != nil {
		panic(err)
	}
	config := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		panic(err)
	}
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
	zeros := make([]byte, 256*1024)
	for {
		c, err := ln.Accept()
		if err != nil { // EMFILE and friends: back off as net/http does
			time.Sleep(5 * time.Millisecond)
			continue
		}
		go func(c net.Conn) {
			conn := tls.Server(c, config)
			defer conn.Close()
			r := bufio.NewReader(conn)
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			for { // the rest of the header
				l, err := r.ReadString('\n')
				if err != nil || l == "\r\n" || l == "\n" {
					break
				}
			}
			n := int64(1)
			if f := strings.Fields(line); len(f) >= 2 {
				if v, err := strconv.ParseInt(strings.TrimPrefix(f[1], "/"), 10, 64); err == nil {
					n = v
				}
			}
			if _, err := conn.Write([]byte("HTTP/1.0 200 ok\r\n\r\n")); err != nil {
				return
			}
			for n > 0 {
				chunk := int64(len(zeros))
				if n < chunk {
					chunk = n
				}
				if _, err := conn.Write(zeros[:chunk]); err != nil {
					return
				}
				n -= chunk
			}
		}(c)
	}
}
