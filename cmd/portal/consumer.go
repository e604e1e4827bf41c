package main

import (
	"context"
	"fmt"
	"strings"
)

// cmdConsumer: portal consumer add|enable|disable --key K [--name N].
// OBP clients sign in with DirectLogin naming a registered consumer key.
func (a *app) cmdConsumer(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageErrorf("consumer: say add, enable or disable")
	}
	verb := args[0]
	if verb != "add" && verb != "enable" && verb != "disable" {
		return usageErrorf("consumer: unknown subcommand %q (add, enable, disable)", verb)
	}
	fs := a.newFlagSet("consumer " + verb)
	key := fs.String("key", "", "the consumer key clients send in DirectLogin (required)")
	name := fs.String("name", "", "who the consumer is, e.g. the calling system (add)")
	if help, err := parseFlags(fs, args[1:]); help || err != nil {
		return err
	}
	if strings.TrimSpace(*key) == "" {
		return usageErrorf("consumer %s: missing --key", verb)
	}
	cfg, log, err := a.config()
	if err != nil {
		return err
	}
	st, err := readyStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	switch verb {
	case "add":
		err = st.EnsureConsumer(ctx, *key, strings.TrimSpace(*name))
	default:
		err = st.SetConsumerEnabled(ctx, *key, verb == "enable")
	}
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(a.stdout, "consumer %s: %s\n", *key, map[string]string{"add": "registered", "enable": "enabled", "disable": "disabled"}[verb])
	return nil
}
