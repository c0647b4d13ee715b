package sipcheck

import (
	"context"
	"fmt"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// cleanupTimeout bounds ACK/BYE/CANCEL after the probe's own deadline: clean
// up always happens, even when the caller's context is already done, but
// never for longer than this.
const cleanupTimeout = 2 * time.Second

// inviteOutcome is what one INVITE transaction produced.
type inviteOutcome struct {
	res      *sip.Response // final response, nil when none
	answer   []byte        // SDP body of a 2xx, bounded by maxBody
	err      error
	rtt      time.Duration
	cleanup  string // "ack+bye", "cancel", "ack", "none"
	dialog   *dialog
	provSeen bool
}

// dialog is an established INVITE dialog that must end with BYE.
type dialog struct {
	a      *agent
	t      Target
	invite *sip.Request
	res    *sip.Response
	tx     sip.ClientTransaction
}

// invite sends an INVITE carrying sdp and waits for its final response until
// ctx is done. A 2xx is acknowledged and returned as an open dialog which the
// caller must hang up; a request still ringing at the deadline is CANCELled.
func (a *agent) invite(ctx context.Context, t Target, sdp []byte) (out inviteOutcome) {
	defer func() {
		if r := recover(); r != nil {
			out.err = fmt.Errorf("sipcheck: INVITE: panic in SIP stack: %v: %w", r, errProtocol)
		}
	}()
	req := a.newRequest(sip.INVITE, t)
	contact := &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: a.from.User, Host: a.local.String()}}
	req.AppendHeader(contact)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"))
	req.SetBody(sdp)
	start := time.Now()
	tx, err := a.client.TransactionRequest(ctx, req, sipgo.ClientRequestBuild)
	if err != nil {
		out.err = fmt.Errorf("send INVITE: %w", err)
		out.cleanup = "none"
		return out
	}
	for {
		select {
		case r := <-tx.Responses():
			if r.IsProvisional() {
				out.provSeen = true
				continue
			}
			out.rtt = time.Since(start)
			out.res = r
			if !r.IsSuccess() {
				// The transaction layer ACKs non-2xx finals itself (RFC 3261 17.1.1.3).
				out.cleanup = "none"
				tx.Terminate()
				return out
			}
			body := r.Body()
			if len(body) > maxBody {
				body = body[:maxBody]
			}
			out.answer = append([]byte(nil), body...)
			d := &dialog{a: a, t: t, invite: req, res: r, tx: tx}
			if err := d.ack(); err != nil {
				out.err = fmt.Errorf("send ACK: %w", err)
			}
			out.dialog = d
			out.cleanup = "ack+bye"
			return out
		case <-tx.Done():
			out.err = tx.Err()
			if out.err == nil {
				out.err = errNoResponse
			}
			out.err = fmt.Errorf("read SIP response to INVITE: %w", out.err)
			out.cleanup = "none"
			return out
		case <-ctx.Done():
			out.err = fmt.Errorf("read SIP response to INVITE: %w", ctx.Err())
			out.cleanup = "none"
			if out.provSeen {
				// RFC 3261 9.1: CANCEL only after a provisional response.
				a.cancel(req, tx, t)
				out.cleanup = "cancel"
			}
			tx.Terminate()
			return out
		}
	}
}

// cancel sends CANCEL for req and waits (bounded) for the INVITE's final
// response; should a 2xx cross the CANCEL, the call is ACKed and hung up.
func (a *agent) cancel(req *sip.Request, tx sip.ClientTransaction, t Target) {
	ctx, stop := context.WithTimeout(context.Background(), cleanupTimeout)
	defer stop()
	c := sip.NewRequest(sip.CANCEL, req.Recipient)
	if v := req.Via(); v != nil {
		c.AppendHeader(v.Clone())
	}
	mf := sip.MaxForwardsHeader(70)
	c.AppendHeader(&mf)
	for _, h := range []sip.Header{req.From(), req.To(), req.CallID()} {
		if h != nil {
			c.AppendHeader(sip.HeaderClone(h))
		}
	}
	if cs := req.CSeq(); cs != nil {
		c.AppendHeader(&sip.CSeqHeader{SeqNo: cs.SeqNo, MethodName: sip.CANCEL})
	}
	c.AppendHeader(sip.NewHeader("User-Agent", a.userAgt))
	c.SetTransport(req.Transport())
	c.SetDestination(t.dialAddr())
	_, _ = a.do(ctx, c)
	for {
		select {
		case r := <-tx.Responses():
			if r.IsProvisional() {
				continue
			}
			if r.IsSuccess() {
				d := &dialog{a: a, t: t, invite: req, res: r, tx: tx}
				_ = d.ack()
				d.bye()
			}
			return
		case <-tx.Done():
			return
		case <-ctx.Done():
			return
		}
	}
}

// inDialog builds an in-dialog request. It goes to the address the INVITE
// went to, not to the peer's Contact: a hostile Contact must not turn the
// probe into a reflector, and NATed edges answer on the INVITE's path anyway.
func (d *dialog) inDialog(method sip.RequestMethod, seq uint32) *sip.Request {
	ruri := d.invite.Recipient
	if c := d.res.Contact(); c != nil && c.Address.Host != "" {
		ruri = *c.Address.Clone()
	}
	req := sip.NewRequest(method, ruri)
	if h := d.invite.From(); h != nil {
		req.AppendHeader(sip.HeaderClone(h))
	}
	if h := d.res.To(); h != nil {
		req.AppendHeader(sip.HeaderClone(h))
	}
	if h := d.invite.CallID(); h != nil {
		req.AppendHeader(sip.HeaderClone(h))
	}
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	// Route set from Record-Route, reversed (RFC 3261 12.1.2).
	rr := d.res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0 && len(rr)-i <= 8; i-- {
		if r, ok := rr[i].(*sip.RecordRouteHeader); ok {
			req.AppendHeader(&sip.RouteHeader{Address: *r.Address.Clone()})
		}
	}
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.AppendHeader(sip.NewHeader("User-Agent", d.a.userAgt))
	req.SetTransport(d.invite.Transport())
	req.SetDestination(d.t.dialAddr())
	return req
}

func (d *dialog) ack() error {
	var seq uint32
	if cs := d.invite.CSeq(); cs != nil {
		seq = cs.SeqNo
	}
	ack := d.inDialog(sip.ACK, seq)
	return d.a.client.WriteRequest(ack, sipgo.ClientRequestBuild)
}

// bye hangs up, bounded by cleanupTimeout, and ends the INVITE transaction.
func (d *dialog) bye() error {
	defer d.tx.Terminate()
	ctx, stop := context.WithTimeout(context.Background(), cleanupTimeout)
	defer stop()
	var seq uint32 = 1
	if cs := d.invite.CSeq(); cs != nil {
		seq = cs.SeqNo + 1
	}
	res, err := d.a.do(ctx, d.inDialog(sip.BYE, seq))
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return fmt.Errorf("BYE answered %d %s", res.StatusCode, clip(res.Reason, 64))
	}
	return nil
}
