"""The command line, in rooms: the parser, the shared output, and the commands by kind."""
