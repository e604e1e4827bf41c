package webhooktest

import (
	"net"
	"sync"
)

// switchListener lets the test server go down (its socket closed, so
// connections are refused) and come back on the same address without the
// http.Server noticing: Accept waits while it is down.
type switchListener struct {
	mu     sync.Mutex
	inner  net.Listener  // nil while down
	addr   net.Addr      // fixed for the receiver's life
	up     chan struct{} // closed while up (or closed for good)
	closed bool
}

func closedChan() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

func (l *switchListener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		inner, up, closed := l.inner, l.up, l.closed
		l.mu.Unlock()
		if closed {
			return nil, net.ErrClosed
		}
		if inner == nil {
			<-up
			continue
		}
		c, err := inner.Accept()
		if err == nil {
			return c, nil
		}
		l.mu.Lock()
		current, closed := l.inner, l.closed
		l.mu.Unlock()
		if closed {
			return nil, net.ErrClosed
		}
		if current == inner {
			return nil, err
		}
		// Taken down (or down and up) meanwhile: wait on the new state.
	}
}

func (l *switchListener) down() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inner == nil || l.closed {
		return
	}
	_ = l.inner.Close()
	l.inner = nil
	l.up = make(chan struct{})
}

func (l *switchListener) upAgain() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inner != nil || l.closed {
		return nil
	}
	ln, err := net.Listen(l.addr.Network(), l.addr.String())
	if err != nil {
		return err
	}
	l.inner = ln
	close(l.up)
	return nil
}

func (l *switchListener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.inner == nil {
		close(l.up)
		return nil
	}
	return l.inner.Close()
}

func (l *switchListener) Addr() net.Addr { return l.addr }
