#!/bin/sh
# The store is the only code that speaks SQL (issue #13): SQL statements, SQLiteCpp statements and
# connections, and the store's internal header (results/store_sql.hpp) appear only in the store's
# own files, results/store*. Tests (tests/) may inspect the schema directly. Prints the offending
# lines and fails when any other source has them.
# usage: check_sql_only_in_store.sh SOURCE_DIR
cd "$1" || exit 2
pattern='SELECT |INSERT (OR [A-Z]+ )?INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE (TEMP )?TABLE|json_each|SQLite::(Statement|Database|Transaction)|store_sql\.hpp'
found=$(grep -rnE --include='*.cpp' --include='*.hpp' "$pattern" core workloads models search dse results bench fuzz |
        grep -vE '^results/store[^/]*:')
if [ -n "$found" ]; then
  echo "SQL outside results/store* (move it into a typed store method):"
  echo "$found"
  exit 1
fi
echo "no SQL outside results/store*"
