
FROM busybox

ENV WHO=world

RUN true

RUN <<NOTHING
NOTHING

RUN 5<<FD
FD

RUN "<<QUOTED"

RUN <<KEEP
	one
	two
KEEP

RUN <<-TABS
	one
		two
TABS

RUN <<-TABS2
	three
	TABS2

RUN <<-VARS
	hello $WHO
VARS

RUN <<-'RAW'
	hello $WHO
RAW

RUN <<SCRIPT
set -e
echo first
SCRIPT

RUN <<HASH
# not a comment for the Dockerfile
echo after # still content
HASH

RUN --network=none <<FLAGGED
echo flagged
FLAGGED

COPY <<A.txt <<B.txt /out/
alpha
A.txt
beta
B.txt

COPY <<END /q
"double"
'single'
END

COPY <<ONE <<TWO /crossed
TWO
ONE
ONE
TWO

RUN <<PY python3 -
print(1)
PY

COPY <<name.conf /etc/
key=value
name.conf

RUN <<pa'rt'
echo part
part

RUN <<pa\'rt
echo part
pa'rt

RUN <<'p'a\'rt
echo part
pa'rt

RUN <<'two words'
echo words
two words

RUN <<$VAR
$VAR

RUN <<   SPACED
SPACED

RUN <<   SPACED  > /out
SPACED

RUN ["<<JSON"]
RUN ["<<'JSON'"]
RUN '<<SINGLE'
ADD --chmod=644 <<-"DQ" local.txt /dest/
	x	y
	DQ
