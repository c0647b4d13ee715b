//go:build !unix

package main

import "errors"

func ioCompare(string) error { return errors.New("io: mapping is compared on unix only") }
