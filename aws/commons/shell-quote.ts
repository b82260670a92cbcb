/** Shell-quotes one value for a bash script: single quotes, each inner one closed, escaped and reopened. */
export const shellQuote = (value: string) => `'${value.replaceAll("'", `'"'"'`)}'`;
