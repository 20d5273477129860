from bbox:1
run echo one \
    two \
  && echo three
# a comment between instructions
   # an indented comment
ENV A=1 \
# a comment inside a continued instruction
    B=2 \

    C=3
LABEL x=1 \	 
  y=2
RUN echo "a \\ b" \
	'c'
Cmd echo $A \
  $B
