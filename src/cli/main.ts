// `wsw`: the command line. Subcommands arrive with the engine and transport.
console.error('wsw: not built yet');
process.exit(2);
