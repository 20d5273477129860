# a comment

   
# another
