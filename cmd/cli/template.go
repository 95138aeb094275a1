package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"
)

// SetTemplate makes the printer render data with a Go template, as gh's
// --template does, with its helpers tablerow, truncate, timeago and json.
func (p *Printer) SetTemplate(text string) error {
	if text == "" {
		return nil
	}
	if p.query != nil || p.Format != "table" && p.Format != "json" {
		return Usagef("--template excludes --jq and -o %s", p.Format)
	}
	p.table = new(bool)
	t, err := template.New("template").Funcs(template.FuncMap{
		"tablerow": func(fields ...any) string {
			*p.table = true
			s := make([]string, len(fields))
			for i, f := range fields {
				s[i] = fmt.Sprint(f)
			}
			return strings.Join(s, "\t") + "\n"
		},
		"truncate": func(n int, s any) string {
			r := []rune(fmt.Sprint(s))
			if len(r) <= n {
				return string(r)
			}
			if n <= 3 {
				return string(r[:n])
			}
			return string(r[:n-3]) + "..."
		},
		"timeago": func(s string) (string, error) {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return "", fmt.Errorf("timeago: %w", err)
			}
			return timeAgo(time.Since(t)), nil
		},
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
	}).Parse(text)
	if err != nil {
		return Usagef("invalid --template: %v", err)
	}
	p.template = t
	return nil
}

// timeAgo says how long ago, as people do: "3 minutes ago".
func timeAgo(d time.Duration) string {
	unit := func(n int, name string) string {
		if n == 1 {
			return "1 " + name + " ago"
		}
		return fmt.Sprintf("%d %ss ago", n, name)
	}
	switch {
	case d < time.Minute:
		return "less than a minute ago"
	case d < time.Hour:
		return unit(int(d.Minutes()), "minute")
	case d < 24*time.Hour:
		return unit(int(d.Hours()), "hour")
	case d < 30*24*time.Hour:
		return unit(int(d.Hours()/24), "day")
	case d < 365*24*time.Hour:
		return unit(int(d.Hours()/24/30), "month")
	}
	return unit(int(d.Hours()/24/365), "year")
}

// runTemplate renders raw; rows made by tablerow are aligned together.
func (p *Printer) runTemplate(raw json.RawMessage) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("server sent invalid JSON: %w", err)
	}
	var buf bytes.Buffer
	if err := p.template.Execute(&buf, v); err != nil {
		return fmt.Errorf("--template: %w", err)
	}
	if !*p.table {
		_, err := buf.WriteTo(p.IO.Out)
		return err
	}
	tw := tabwriter.NewWriter(p.IO.Out, 0, 4, 2, ' ', 0)
	if _, err := buf.WriteTo(tw); err != nil {
		return err
	}
	return tw.Flush()
}
