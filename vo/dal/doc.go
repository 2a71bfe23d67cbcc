// Package dal is the HTTP and VOTable core shared by voagent's VO protocol
// clients (TAP, UWS, SCS, SIA, SSA, DataLink, RegTAP ...).
//
// A Client sends a Request and hands back the service's answer in one of
// three ways, all of which check the DALI status of the document:
//
//   - Client.Stream returns a Result that decodes the VOTable while it
//     downloads (vo/votable's Decoder): tables, then batches of rows with
//     constant memory. The caller closes it.
//   - Client.Fetch reads the whole VOTable into memory.
//   - Client.Copy copies the raw bytes to a writer (a file, stdout) while it
//     watches them for the DALI status and a truncated document.
//
// Every call takes a context and runs under a connect timeout, a total
// timeout, an idle timeout (the longest silence of the service, headers
// included) and a response size limit. Responses are transparently gzip
// decoded (the size limit applies to the decoded bytes). Idempotent requests
// are retried a bounded number of times with exponential backoff on network
// errors (not timeouts) and on HTTP 429, 502, 503 and 504, honouring
// Retry-After; non-idempotent ones (creating a UWS job) never are.
//
// Failures are *Error values that name the operation and the service URL,
// carry the service's own message when it gave one, and wrap one of the
// sentinel kinds (ErrService, ErrHTTPStatus, ErrNotVOTable, ErrTooLarge,
// ErrTimeout, ErrTruncated, ErrInvalid) for errors.Is. A DALI OVERFLOW is not
// an error: it is reported as a *Truncation, which says whether the limit was
// the MAXREC the caller chose or one the service imposed.
package dal
