package store_test

import "fmt"

func fmtSlice[T any](v []T) string { return fmt.Sprint(v) }
