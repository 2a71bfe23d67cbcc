// Package votable reads and writes IVOA VOTable documents (versions 1.1 to
// 1.5) in the TABLEDATA, BINARY and BINARY2 serializations.
//
// There are two ways in:
//
//   - Decoder streams a document: it hands out the metadata of each table
//     (Document, Resource, Table, Field, Param, Info, Group ...) as soon as it
//     is known, then the table's rows in columnar batches of bounded size, so
//     a result larger than memory is read with constant memory.
//   - Read/ReadFile decode a whole document into memory, every table's data in
//     typed columns (see Column) with null masks, for code that computes.
//
// Writer (Write, WriteTable) writes a document back with all of its metadata
// in any of the three serializations; BINARY2 is the default.
//
// The DATA section is read by scanners of this package's own (encoding/xml
// is used only for the metadata), with decoding spread over two goroutines.
package votable
