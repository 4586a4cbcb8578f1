module github.com/braingo/braingo

go 1.26
