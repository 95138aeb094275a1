package publications

import "github.com/laymanctl/laymanctl/client"

// ListTable is the table a single page of kind's list printed as before
// lists were streamed: the reference the streaming output must match.
func ListTable(kind Kind, items []client.Publication) (header []string, rows [][]string) {
	for i := range items {
		rows = append(rows, kind.listRow(&items[i]))
	}
	return kind.listHeader(), rows
}
