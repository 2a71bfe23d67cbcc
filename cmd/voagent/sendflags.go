package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/voagent/voagent/vo/datalink"
	"github.com/voagent/voagent/vo/votable"
)

// sendDefault is the value of --send given without a name: the default
// receivers (every subscribed client; the configured ones where the
// configuration names them).
const sendDefault = "*"

// sendHelp describes --send for every command that has it.
const sendHelp = "send the result over SAMP: --send alone to every client subscribed to it (or the configured receiver), --send NAME (or --send=NAME) to the client with that samp.name, e.g. topcat; through the running agent when there is one"

// addSendFlag declares --send [NAME] and --name on a command that
// produces a table, image or spectrum: the one declaration of both.
func addSendFlag(fl *pflag.FlagSet) {
	addSendFlagVar(fl, new(string), new(string))
}

// addSendFlagVar is addSendFlag storing the flags' values in to and name.
func addSendFlagVar(fl *pflag.FlagSet, to, name *string) {
	fl.StringVar(to, "send", "", sendHelp)
	fl.Lookup("send").NoOptDefVal = sendDefault
	fl.StringVar(name, "name", "", "name shown by the --send receiver (default: what the command made, from what)")
}

// sendFlag returns --send's value: "" when not given, sendDefault when
// given without a name.
func sendFlag(cmd *cobra.Command) string {
	if cmd.Flags().Lookup("send") == nil {
		return ""
	}
	s, _ := cmd.Flags().GetString("send")
	return s
}

// sendTo is --send's value (kept for the commands that read it so).
func sendTo(cmd *cobra.Command) string { return sendFlag(cmd) }

// sendTarget is the samp.name a --send flag names: "" (every subscribed
// client) for "all" and for --send without a name.
func sendTarget(flag string) string {
	if strings.EqualFold(flag, "all") || flag == sendDefault {
		return ""
	}
	return flag
}

// sendName is --name, else def.
func sendName(cmd *cobra.Command, def string) string {
	if cmd.Flags().Lookup("name") != nil {
		if n, _ := cmd.Flags().GetString("name"); n != "" {
			return n
		}
	}
	return def
}

// sendTable sends the command's output table when --send was given: the
// file out when it is a VOTable written to a file, else a VOTable
// file (sentFile) that write makes, named --name, else defaultName. This is the path of every
// command's --send of a table. g nil: the globals of cmd's context.
func sendTable(cmd *cobra.Command, g *globals, out, defaultName string, write func(path string) error) error {
	to := sendFlag(cmd)
	if to == "" {
		return nil
	}
	path := out
	if f, err := votable.FormatFor(out, ""); out == "" || out == "-" || err != nil || !f.IsVOTable() || !isFormatVOTable(cmd) {
		tmp, err := sentFile("voagent-")
		if err != nil {
			return err
		}
		tmp.Close()
		path = tmp.Name()
		if err := write(path); err != nil {
			os.Remove(path)
			return err
		}
	}
	return sendVOTableFile(cmd, g, path, defaultName)
}

// sentKeep is how long a file made only to be sent stays for its receiver
// to read (TOPCAT reads at once; a receiver may read later).
const sentKeep = 24 * time.Hour

// sentFile creates an empty VOTable file for a --send whose output is not
// a VOTable file of the user's: in $XDG_CACHE_HOME/voagent/sent (0700),
// where each call removes what is older than sentKeep, so these files
// neither pile up in /tmp nor go before their receiver has read them.
func sentFile(prefix string) (*os.File, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("a file to send: %w", err)
	}
	dir := filepath.Join(cache, "voagent", "sent")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("a file to send: %w", err)
	}
	if old, err := os.ReadDir(dir); err == nil {
		for _, e := range old {
			if info, err := e.Info(); err == nil && info.Mode().IsRegular() && time.Since(info.ModTime()) > sentKeep {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	f, err := os.CreateTemp(dir, prefix+"*.vot")
	if err != nil {
		return nil, fmt.Errorf("a file to send: %w", err)
	}
	return f, nil
}

// sendVOTableFile sends the VOTable file path when --send was given,
// named --name, else defaultName.
func sendVOTableFile(cmd *cobra.Command, g *globals, path, defaultName string) error {
	to := sendFlag(cmd)
	if to == "" {
		return nil
	}
	msg, err := tableRequest(path, sendName(cmd, defaultName))
	if err != nil {
		return err
	}
	if g == nil {
		g = globalsOf(cmd)
	}
	return sampSend(cmd, g, sendOptions{to: sendTarget(to), timeout: time.Minute}, msg)
}

// isFormatVOTable reports whether the command's --format (when it has
// one) leaves its output a VOTable.
func isFormatVOTable(cmd *cobra.Command) bool {
	fl := cmd.Flags().Lookup("format")
	if fl == nil || fl.Value.String() == "" {
		return true
	}
	f, err := votable.ParseFormat(fl.Value.String())
	return err == nil && f.IsVOTable()
}

// sendFile sends a file the command wrote (an image, a spectrum, a table)
// when --send was given, as kind ("table", "image", "spectrum") told by
// its content type or name.
func sendFile(cmd *cobra.Command, g *globals, path, contentType, defaultName string) error {
	to := sendFlag(cmd)
	if to == "" {
		return nil
	}
	kind := fileKind(path, contentType)
	if kind == "" {
		return fmt.Errorf("--send: %s (%s) is not a table, image or spectrum a SAMP client loads", path, contentType)
	}
	var meta map[string]string
	if kind == "spectrum" && contentType != "" {
		meta = map[string]string{"Access.Format": contentType}
	}
	req, err := resourceRequest(kind, path, "", sendName(cmd, defaultName), meta)
	if err != nil {
		return err
	}
	if g == nil {
		g = globalsOf(cmd)
	}
	return sampSend(cmd, g, sendOptions{to: sendTarget(to), timeout: time.Minute}, req)
}

// fileKind is what a file is to SAMP: "table" for VOTables (and
// FITS tables named so), "image" for FITS, "spectrum" for spectral
// formats; "" when none.
func fileKind(path, contentType string) string {
	ct := strings.ToLower(contentType)
	lp := strings.ToLower(path)
	switch {
	case strings.Contains(ct, "spectrum") || strings.Contains(ct, "ssa") || strings.Contains(ct, "sed"):
		return "spectrum"
	case strings.Contains(ct, "votable") || strings.HasSuffix(lp, ".vot") || strings.HasSuffix(lp, ".xml"):
		return "table"
	case strings.Contains(ct, "fits") || strings.HasSuffix(lp, ".fits") || strings.HasSuffix(lp, ".fit") || strings.HasSuffix(lp, ".fits.gz"):
		return "image"
	}
	return ""
}

// sendCSV sends a listing the command makes as CSV (a registry search,
// DataLink links) as a VOTable table, when --send was given.
func sendCSV(cmd *cobra.Command, g *globals, defaultName string, writeCSV func(io.Writer) error) error {
	if sendFlag(cmd) == "" {
		return nil
	}
	var b bytes.Buffer
	if err := writeCSV(&b); err != nil {
		return err
	}
	t, err := votable.ReadTable(cmd.Context(), &b, "listing.csv")
	if err != nil {
		return fmt.Errorf("--send: %w", err)
	}
	t.Name = defaultName
	return sendTable(cmd, g, "", defaultName, func(p string) error {
		return votable.CreateFile(p, func(w io.Writer) error { return votable.WriteTableFormat(w, t, votable.FormatBinary2) })
	})
}

// sendArgs rewrites "--send NAME" as "--send=NAME" so that --send takes
// its optional value after a space too, when NAME looks like a samp.name
// (no leading '-', no '/', '.' or ':', not an existing file) rather than
// a positional argument (a file, a URL, a query).
func sendArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if a == "--send" && i+1 < len(args) && looksLikeClientName(args[i+1]) {
			out = append(out, "--send="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

func looksLikeClientName(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") || strings.ContainsAny(s, "/.: \t") {
		return false
	}
	if _, err := os.Stat(s); err == nil {
		return false
	}
	return true
}

// errNoSendName is returned by commands whose receivers come from the
// configuration when --send names one.
var errNoSendName = errors.New("--send takes no NAME here: the receivers are the configuration's")

// writeLinksCSV writes DataLink rows as CSV with the standard's column
// names, for --send (a table TOPCAT shows).
func writeLinksCSV(w io.Writer, rows []datalink.Link) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"ID", "access_url", "service_def", "error_message", "description", "semantics", "content_type", "content_length"})
	for _, r := range rows {
		length := ""
		if r.ContentLength >= 0 {
			length = strconv.FormatInt(r.ContentLength, 10)
		}
		_ = cw.Write([]string{r.ID, r.AccessURL, r.ServiceDef, r.ErrorMessage, r.Description, r.Semantics, r.ContentType, length})
	}
	cw.Flush()
	return cw.Error()
}

// refuseName fails when --name was given to a command whose results the
// agent names itself (why says how).
func refuseName(cmd *cobra.Command, why string) error {
	if cmd.Flags().Changed("name") {
		return fmt.Errorf("--name is not taken here: %s", why)
	}
	return nil
}
