FROM bbox:1


ADD a
