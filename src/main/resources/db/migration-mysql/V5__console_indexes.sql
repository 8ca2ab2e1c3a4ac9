-- The same step as db/migration/V5__console_indexes.sql, which indexes seq for the operator
-- console's newest-first, keyset-paged lists (ORDER BY seq DESC LIMIT n, WHERE seq < cursor).
-- On MySQL/MariaDB seq is the AUTO_INCREMENT column, and InnoDB already keeps an index that starts
-- with it (it must), so nothing is added: this keeps the version numbers of the two folders in step.
DO 0;
