FROM bbox:1
onbuild maintainer x
