// Package fits reads binary tables (BINTABLE extensions) from FITS files,
// strictly and within bounds: the primary HDU and any other extension
// before the first BINTABLE are skipped; every TFORM code (L X B I J K A E D
// C M P Q) with repeat counts, TNULL, TSCAL/TZERO (with the unsigned and
// signed-byte conventions), TTYPE, TUNIT, TUCD, TDISP, TDIM, TCOMM and
// variable-length arrays in the heap are understood. Sizes declared by the
// header are checked against the bytes present before anything is
// allocated for them; errors name the card at fault.
//
// The package knows nothing of VOTable: vo/votable turns a Table into its
// own table model (votable.ReadTable recognises FITS by its first bytes).
package fits
