package plan

import (
	"errors"
	"fmt"

	"github.com/voipsec/voipsec/sipcheck"
)

// checkCallTo validates a number to call (call_to, pilot_number): a SIP
// user part (+14255550100, uas) or a sip:/sips: URI with one, the forms
// `voipsec probe --to` takes ([sipcheck.ParseTo]). The message says what
// is wrong with it in the plan's words.
func checkCallTo(s string) error {
	if _, err := sipcheck.ParseTo(s); err != nil {
		var ue *sipcheck.URIError
		if errors.As(err, &ue) {
			return fmt.Errorf("bad number to call %q: %s", clip(s), ue.Reason)
		}
		return err
	}
	return nil
}
