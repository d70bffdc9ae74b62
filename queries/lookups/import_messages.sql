-- import_messages: one row per warning of the last import (file, row, column, value, problem, fix).
select * from import_messages order by file, "row"
