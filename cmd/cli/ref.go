package cli

import "github.com/laymanctl/laymanctl/client"

// ParseRefs reads publication references (UUID or workspace:name); a
// malformed one is a usage error caught before any request.
func ParseRefs(args []string) ([]client.Ref, error) {
	refs := make([]client.Ref, 0, len(args))
	for _, a := range args {
		r, err := client.ParseRef(a)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		refs = append(refs, r)
	}
	return refs, nil
}
