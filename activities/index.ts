/** Thin activity functions that call into src/. The sync activities arrive with issue 5. */
export {}
