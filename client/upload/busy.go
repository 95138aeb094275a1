package upload

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/laymanctl/laymanctl/client"
)

// BusyError is a PATCH that Layman kept refusing with error 49 until the
// Uploader's BusyTimeout ran out: nothing was changed.
type BusyError struct {
	Kind    string
	Ref     client.Ref
	Timeout time.Duration
	Err     error // Layman's error 49
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("Layman was still processing the %s after %s of waiting, so nothing was changed (%v)", e.Kind, e.Timeout, e.Err)
}

func (e *BusyError) Unwrap() error { return e.Err }

// isBusy is Layman's error 49: the publication is locked by its running
// processing or another PATCH (solve_locks in common/redis.py, master and
// 2.4; a DELETE never gets it, it aborts the processing instead).
func isBusy(err error) bool {
	var le *client.LaymanError
	return errors.As(err, &le) && le.Code == client.CodeInProcess
}

// firstBusyPause is the pause before sending again a PATCH refused while
// the publication already looked finished (someone else's PATCH took the
// lock in between); it doubles up to maxPoll.
const firstBusyPause = time.Second

// patchWhenFree sends a PATCH with send and, while Layman answers 49, waits
// for the publication's processing to end (polling it, with Wait's backoff:
// sending the files again on every try would cost their whole size) and
// sends again, for at most BusyTimeout.
func (u *Uploader) patchWhenFree(ctx context.Context, kind string, ref *client.Ref, send func() error) error {
	err := send()
	if !isBusy(err) {
		return err
	}
	if u.OnBusy != nil {
		u.OnBusy(kind, *ref)
	}
	waitCtx := ctx
	if u.BusyTimeout > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, u.BusyTimeout)
		defer cancel()
	}
	delay := time.Duration(0)
	for isBusy(err) {
		busy := err
		var incomplete *IncompleteError
		_, err = Wait(waitCtx, u.Client, *ref, kind, nil)
		if err == nil || errors.As(err, &incomplete) {
			err = pause(waitCtx, delay)
		}
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
				return &BusyError{Kind: kind, Ref: *ref, Timeout: u.BusyTimeout, Err: busy}
			}
			return err
		}
		delay = min(max(2*delay, firstBusyPause), maxPoll)
		err = send()
	}
	return err
}
