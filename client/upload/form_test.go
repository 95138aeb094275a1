package upload

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFormStreamsReplayableBody(t *testing.T) {
	dir := t.TempDir()
	data := bytes.Repeat([]byte("0123456789"), 100_000)
	path := filepath.Join(dir, "big.geojson")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f := newForm()
	f.field("name", "roads")
	f.file("file", "big.geojson", path, int64(len(data)))
	f.field("title", "Roads ü")
	f.section("chunk", "big.geojson", fh, 10, 25)

	n, err := f.contentLength()
	if err != nil {
		t.Fatal(err)
	}
	read := func() []byte {
		body, err := f.open()
		if err != nil {
			t.Fatal(err)
		}
		defer body.Close()
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first, second := read(), read()
	if !bytes.Equal(first, second) {
		t.Fatal("a replayed body differs from the first")
	}
	if int64(len(first)) != n {
		t.Fatalf("body is %d bytes, Content-Length says %d", len(first), n)
	}
	_, params, err := mime.ParseMediaType(f.contentType())
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(bytes.NewReader(first), params["boundary"])
	got := map[string]string{}
	var files []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		got[p.FormName()] = string(b)
		if p.FileName() != "" {
			files = append(files, p.FormName()+"="+p.FileName())
		}
	}
	if got["name"] != "roads" || got["title"] != "Roads ü" {
		t.Errorf("fields = %q, %q", got["name"], got["title"])
	}
	if got["file"] != string(data) {
		t.Error("file part differs from the file")
	}
	if got["chunk"] != string(data[10:35]) {
		t.Errorf("section = %q, want %q", got["chunk"], data[10:35])
	}
	if strings.Join(files, ",") != "file=big.geojson,chunk=big.geojson" {
		t.Errorf("file parts = %v", files)
	}
}

func TestFormFailsWhenFileShrinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.geojson")
	if err := os.WriteFile(path, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newForm()
	f.file("file", "a.geojson", path, 10)
	body, err := f.open()
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	if _, err := io.ReadAll(body); err == nil || !strings.Contains(err.Error(), "changed size") {
		t.Fatalf("err = %v, want a changed-size error", err)
	}
}

func BenchmarkMultipartWriter(b *testing.B) {
	path := filepath.Join(b.TempDir(), "data.geojson")
	data := bytes.Repeat([]byte("x"), 8*MiB)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	f := newForm()
	f.field("workspace", "alice")
	f.field("name", "roads")
	f.file("file", "data.geojson", path, int64(len(data)))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		body, err := f.open()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			b.Fatal(err)
		}
		body.Close()
	}
}

func BenchmarkChunkReader(b *testing.B) {
	path := filepath.Join(b.TempDir(), "data.tif")
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 16*MiB), 0o600); err != nil {
		b.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer fh.Close()
	cf := &chunkedFile{File: File{Path: path, Name: "data.tif", Size: 16 * MiB}, f: fh, chunkSize: MiB, total: 16}
	up := &chunkUpload{}
	b.SetBytes(MiB)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := chunk{file: cf, number: i%cf.total + 1}
		i++
		f := newForm()
		q := up.fields(c)
		for k := range q {
			f.field(k, q.Get(k))
		}
		off, n := c.bounds()
		f.section("file", cf.Name, cf.f, off, n)
		body, err := f.open()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			b.Fatal(err)
		}
	}
}
