package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"portal/models/store"
	"portal/web/webtest"
)

// The process page: a long thread scrolls inside its card so the reply box
// is in view at once on a phone and on a desktop; the sections are tabs
// that survive a reload; the counts follow new messages.
func TestBrowserProcessPage(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	id, _ := quietProcess(t, s)
	// 51 messages: more than a page (50), from both sides (the posting
	// limit is per user).
	c, broker := s.Client(t), s.Client(t)
	c.Login(marta)
	broker.Login(ana)
	for i := 1; i <= 51; i++ {
		who := c
		if i%2 == 0 {
			who = broker
		}
		if res := who.PostForm("/processes/"+id+"/messages", url.Values{"text": {fmt.Sprintf("Message %d\nwith a second line\nand a third.", i)}}); res.StatusCode != 303 {
			t.Fatalf("post %d: %d", i, res.StatusCode)
		}
	}
	p := page{t, webtest.Browser(t)}
	p.signIn(s.URL, ana)
	// On a desktop the reply box is in view at once; on a phone it is less
	// than a screen further down, however long the thread ("Reply" jumps there).
	for _, size := range [][2]int64{{390, 844}, {1280, 900}} {
		inView := `(() => { const r = document.querySelector("#text").getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; })()`
		if size[0] < 640 {
			inView = `document.querySelector("#text").getBoundingClientRect().bottom <= 1.6 * window.innerHeight && !!document.querySelector('[data-testid="jump-to-reply"]').offsetParent`
		}
		// (WaitReady first: the same URL again, and chromedp could still hold the old page's nodes.)
		p.do(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(s.URL+"/processes/"+id), chromedp.Poll[chromedp.Void](`!!document.querySelector("#text") && document.querySelector("#text").offsetParent !== null`))
		if ok := p.bool(inView); !ok {
			t.Errorf("at %d px the reply box is not in view without scrolling: %v", size[0],
				p.strings(`[String(document.querySelector("#text").getBoundingClientRect().top), String(document.querySelector("#text").getBoundingClientRect().bottom), String(window.innerHeight), String(document.querySelector("[data-thread-scroll]").getBoundingClientRect().top), String(document.querySelector("[data-thread-scroll]").clientHeight)]`))
		}
		// The newest message is what the thread shows first.
		if ok := p.bool(`(() => { const box = document.querySelector("[data-thread-scroll]"); return box.scrollHeight > box.clientHeight && box.scrollTop + box.clientHeight >= box.scrollHeight - 2; })()`); !ok {
			t.Errorf("at %d px the thread does not open at its newest message", size[0])
		}
		p.screenshot(fmt.Sprintf("process-page-%d", size[0]))
	}

	// Tabs: one section shows; the choice is in the URL and outlives a reload.
	if p.bool(`document.querySelector("#tab-borrowers").hidden === false`) {
		t.Fatal("the borrowers show beside the messages")
	}
	p.do(chromedp.Click(`#tab-borrowers-tab`), chromedp.Poll[chromedp.Void](`!document.querySelector("#tab-borrowers").hidden`))
	if !p.bool(`document.querySelector("#tab-messages").hidden && location.hash === "#tab-borrowers" && document.querySelector("#tab-borrowers-tab").getAttribute("aria-selected") === "true"`) {
		t.Fatal("the Borrowers tab did not take the place of the messages")
	}
	// (Polls, not WaitVisible: after a reload of the same URL chromedp may
	// still hold the old page's nodes.)
	p.do(chromedp.Reload(), chromedp.Poll[chromedp.Void](`document.readyState === "complete" && !!document.querySelector("#tab-borrowers") && !document.querySelector("#tab-borrowers").hidden`))
	p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#tab-borrowers-tab").focus()`), chromedp.KeyEvent(kb.ArrowLeft),
		chromedp.Poll[chromedp.Void](`!document.querySelector("#tab-messages").hidden`))
	if !p.bool(`document.activeElement.id === "tab-messages-tab" && document.querySelector("#tab-borrowers").hidden`) {
		t.Fatal("the left arrow did not move to the Messages tab")
	}

	// A reply from the bank raises both counts and arrives marked new.
	before := p.text(`#message-count`)
	if res := c.PostForm("/processes/"+id+"/messages", url.Values{"text": {"A reply while Ana reads."}}); res.StatusCode != 303 {
		t.Fatalf("reply: %d", res.StatusCode)
	}
	p.do(chromedp.Poll[chromedp.Void](`document.querySelector("#message-tab-count").textContent.trim() === "52"`))
	if got := p.text(`#message-count`); got == before || !strings.HasPrefix(got, "52") {
		t.Errorf("the thread's count shows %q after the reply (was %q)", got, before)
	}
	if last := p.text(`#messages > li:last-child, #messages > ol:last-child > li:last-child`); !strings.Contains(last, "New") {
		t.Errorf("the reply is not marked new: %q", last)
	}

	// Older messages: focus lands on the newest of the loaded ones.
	p.do(chromedp.Navigate(s.URL+"/processes/"+id), chromedp.Poll[chromedp.Void](`!!document.querySelector('[data-testid="load-older"]')`),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="load-older"]').click()`), chromedp.Poll[chromedp.Void](`!!document.querySelector("#older-page")`))
	if !p.bool(`document.activeElement.matches("#older-page li")`) {
		t.Errorf("after loading older messages focus is on %s", p.strings(`[document.activeElement.outerHTML.slice(0, 80)]`)[0])
	}
}

// A send that fails keeps the draft and says why; the next send goes
// through and forgets it.
func TestBrowserFailedSendKeepsTheDraft(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	id, _ := quietProcess(t, s)
	p := page{t, webtest.Browser(t)}
	p.signIn(s.URL, ana)
	p.do(chromedp.Navigate(s.URL+"/processes/"+id), chromedp.WaitVisible(`#text`),
		chromedp.SendKeys(`#text`, "The deed is on Friday."))
	p.do(offline(true), chromedp.Click(`#compose button[type="submit"]`))
	p.do(chromedp.Poll[chromedp.Void](`!document.querySelector('[data-testid="send-error"]').hidden`))
	if got := p.text(`[data-testid="send-error"]`); !strings.Contains(got, "cannot be reached") {
		t.Errorf("network error says %q", got)
	}
	if got := p.strings(`[document.querySelector("#text").value]`)[0]; got != "The deed is on Friday." {
		t.Errorf("the draft became %q", got)
	}
	// A reload while offline is not possible; back online, a reload restores the draft from sessionStorage.
	p.do(offline(false), chromedp.Reload(), chromedp.Poll[chromedp.Void](`document.readyState === "complete" && !!document.querySelector("[data-draft-note]") && !document.querySelector("[data-draft-note]").hidden`))
	if got := p.strings(`[document.querySelector("#text").value]`)[0]; got != "The deed is on Friday." {
		t.Errorf("after a reload the draft is %q", got)
	}
	p.do(chromedp.Click(`#compose button[type="submit"]`), chromedp.Poll[chromedp.Void](`!!document.querySelector('[data-testid="message"]')`),
		chromedp.Poll[chromedp.Void](`document.querySelector("#text").value === "" && document.querySelector('[data-testid="send-error"]').hidden`))
	if p.bool(`Object.keys(sessionStorage).some(k => k.startsWith("portal.draft:"))`) {
		t.Error("the sent draft is still kept")
	}
	p.do(chromedp.Reload(), chromedp.Poll[chromedp.Void](`document.readyState === "complete" && !!document.querySelector("#text")`))
	if got := p.strings(`[document.querySelector("#text").value]`)[0]; got != "" {
		t.Errorf("a sent message came back as a draft: %q", got)
	}
}

// offline cuts the browser off the network (on) or reconnects it.
func offline(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: on, DownloadThroughput: -1, UploadThroughput: -1}}})
		return err
	})
}

// A session that ends while a message is being typed: sending it leads to
// signing in again, which says why, returns to the same process and puts
// the typed message back in the form, unsent.
func TestBrowserExpiredSessionKeepsTheDraft(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	id, _ := quietProcess(t, s)
	p := page{t, webtest.Browser(t)}
	p.signIn(s.URL, ana)
	p.do(chromedp.Navigate(s.URL+"/processes/"+id), chromedp.WaitVisible(`#text`),
		chromedp.SendKeys(`#text`, "Please call the client after 6 pm."))
	// The session ends behind the page's back (idle timeout, sign-out elsewhere).
	if err := s.Store.DB().Exec("DELETE FROM sessions").Error; err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.Click(`#compose button[type="submit"]`))
	p.waitFor(`location.pathname === "/login" && document.readyState === "complete" && !!document.querySelector("#email")`)
	if loc := p.location(); !strings.Contains(loc, "expired=1") || !strings.Contains(loc, url.QueryEscape("/processes/"+id)) {
		t.Fatalf("sent to %s", loc)
	}
	if notice := p.strings(`[document.querySelector("main").innerText]`)[0]; !strings.Contains(notice, "session expired") {
		t.Errorf("the sign-in page does not say the session expired: %q", notice)
	}
	p.do(chromedp.SendKeys(`#email`, ana), chromedp.SendKeys(`#password`, store.DemoPassword), chromedp.Submit(`#password`))
	p.waitFor(`location.pathname.startsWith("/processes/") && !!document.querySelector("#text") && document.readyState === "complete"`)
	if got := p.strings(`[document.querySelector("#text").value]`)[0]; got != "Please call the client after 6 pm." {
		t.Errorf("back on the process the message box holds %q", got)
	}
	if p.bool(`document.querySelector("[data-draft-note]").hidden`) {
		t.Error("the page does not say the draft was restored")
	}
	var n int64
	s.Store.DB().Raw(`SELECT COUNT(*) FROM messages m JOIN processes p ON p.id = m.process_id WHERE p.uuid = ?`, id).Scan(&n)
	if n != 0 {
		t.Errorf("%d messages were posted without a session", n)
	}
}
