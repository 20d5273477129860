FROM bbox:1

FOO bar
