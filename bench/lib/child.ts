/**
 * The child side of the runner's protocol: arguments come as one JSON argument, the result goes
 * back as one `RESULT {json}` line on stdout, and the process exits when it is done.
 */
export function runChild<A, R>(main: (args: A) => Promise<R> | R): void {
  const args = JSON.parse(process.argv[2] ?? '{}') as A;
  Promise.resolve()
    .then(() => main(args))
    .then(
      (result) => {
        process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
}
