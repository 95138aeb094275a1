package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laymanctl/laymanctl/auth/dottest"
	"github.com/laymanctl/laymanctl/client/laymantest"
	"github.com/laymanctl/laymanctl/client/laymantest/reallayman"
)

// The scenarios of the contract suite. Each target gets fresh logins; the
// publications are named ct_* so that they never meet other tests' ones on
// a shared real Layman.

// TestContract runs every scenario against every target.
func TestContract(t *testing.T) {
	files := contractFiles(t)
	forEachTarget(t, func(t *testing.T, tg *target) {
		alice := contractSandbox(t, tg, tg.alice)
		bob := contractSandbox(t, tg, tg.bob)
		c := &contract{tg: tg, alice: alice, bob: bob, files: files}
		if !t.Run("login", c.login) {
			t.FailNow()
		}
		t.Run("refresh on expiry", c.refreshOnExpiry)
		t.Run("refresh on 403 code 32", c.refreshOn32)
		if !t.Run("publish", c.publish) {
			t.FailNow()
		}
		t.Run("get by uuid and by workspace:name", c.get)
		t.Run("update title, rights and data", c.update)
		t.Run("list paging, search, order, bbox", c.list)
		t.Run("thumbnail and style", c.thumbnailAndStyle)
		t.Run("interrupt and resume", c.interruptAndResume)
		t.Run("maps", c.maps)
		t.Run("map named by its file", c.mapNaming)
		t.Run("anonymous publish in a public workspace", c.anonymousPublish)
		t.Run("errors", c.errors)
		t.Run("users, roles, version", c.usersRolesVersion)
		t.Run("delete one and all", c.delete)
		t.Run("logout", c.logout)
	})
}

// contract is one target's run: alice's and bob's machines and what the
// scenarios published.
type contract struct {
	tg         *target
	alice, bob *sandbox
	files      contractData

	mu    sync.Mutex
	uuids map[string]string // layer name -> UUID
}

// contractData are the files the scenarios publish.
type contractData struct {
	small, big, zip, tif, qml, sld, mapJSON string
	shp                                     []string // cities.shp .shx .dbf .prj
	dir                                     string
}

func contractFiles(t *testing.T) contractData {
	t.Helper()
	dir := t.TempDir()
	d := contractData{
		small: reallayman.Sample("small.geojson"), big: reallayman.Sample("big_points.geojson"),
		zip: reallayman.Sample("cities.zip"), tif: reallayman.Sample("small.tif"),
		mapJSON: reallayman.Sample("small_map.json"),
		qml:     filepath.Join("testdata", "contract", "points.qml"),
		sld:     filepath.Join("testdata", "contract", "raster.sld"),
		dir:     dir,
	}
	if _, err := os.Stat(d.small); err != nil {
		// The samples come with reallayman: without it every target
		// skips, and with CI=true fails, like a missing real Layman.
		dottest.Require(t, fmt.Errorf("%w: reallayman samples (set REALLAYMAN_DIR): %v", dottest.ErrUnavailable, err))
	}
	for i, p := range []*string{&d.qml, &d.sld} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			t.Fatal(i, err)
		}
		*p = abs
	}
	zr, err := zip.OpenReader(d.zip)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		// The set under another base name, so that it is a different layer from the zip's.
		p := filepath.Join(dir, "towns"+filepath.Ext(f.Name))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		d.shp = append(d.shp, p)
	}
	return d
}

// ws is alice's workspace, where the scenarios publish.
const ws = "alice"

// resumeLine is the command an interrupted upload prints.
var resumeLine = regexp.MustCompile(`laymanctl layers resume [^\n]+`)

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (c *contract) ref(name string) string { return ws + ":" + name }

// getLayer returns `layers get REF -o json` as a map.
func (c *contract) getLayer(t *testing.T, ref string) map[string]any {
	t.Helper()
	r := c.alice.ok("", "layers", "get", ref, "-o", "json")
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("layers get -o json: %v\n%s", err, r.stdout)
	}
	return v
}

func str(v map[string]any, keys ...string) string {
	var cur any = v
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[k]
	}
	s, _ := cur.(string)
	return s
}

// wantComplete checks the layer's status and remembers its UUID.
func (c *contract) wantComplete(t *testing.T, name string) map[string]any {
	t.Helper()
	v := c.getLayer(t, c.ref(name))
	if st := str(v, "layman_metadata", "publication_status"); st != "COMPLETE" {
		t.Fatalf("%s: publication_status %q, want COMPLETE", name, st)
	}
	uuid := str(v, "uuid")
	if uuid == "" {
		t.Fatalf("%s: no uuid in layers get", name)
	}
	c.mu.Lock()
	if c.uuids == nil {
		c.uuids = map[string]string{}
	}
	c.uuids[name] = uuid
	c.mu.Unlock()
	return v
}

func (c *contract) uuid(t *testing.T, name string) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.uuids[name]
	if u == "" {
		t.Fatalf("layer %s was not published", name)
	}
	return u
}

// wantStored checks that the server stored file byte for byte.
func (c *contract) wantStored(t *testing.T, name, file string) {
	t.Helper()
	want := laymantest.SHA256File(t, file)
	if got := c.tg.storedSHA256(t, c.uuid(t, name), "layer:"+c.ref(name), filepath.Base(file)); got != want {
		t.Errorf("%s: stored %s has SHA-256 %s, want %s", name, filepath.Base(file), got, want)
	}
}

func (c *contract) login(t *testing.T) {
	if u := c.tg.login(t, c.alice, c.tg.alice); u != c.tg.alice.Username {
		t.Fatalf("alice logged in as Layman user %q", u)
	}
	if u := c.tg.login(t, c.bob, c.tg.bob); u != c.tg.bob.Username {
		t.Fatalf("bob logged in as Layman user %q", u)
	}
	var status map[string]any
	r := c.alice.ok("", "auth", "status", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &status); err != nil {
		t.Fatalf("auth status -o json: %v\n%s", err, r.stdout)
	}
	if !strings.Contains(r.stdout, `"alice"`) || !strings.Contains(r.stdout, c.tg.url) {
		t.Errorf("auth status does not name alice and the server:\n%s", r.stdout)
	}
	cu := c.alice.ok("", "api", "GET", "rest/current-user")
	if !strings.Contains(cu.stdout, `"username": "alice"`) && !strings.Contains(cu.stdout, `"username":"alice"`) {
		t.Errorf("current-user is not alice's reserved username:\n%s", cu.stdout)
	}
	tok := c.alice.ok("", "auth", "token")
	if strings.TrimSpace(tok.stdout) != c.alice.storedTokens().AccessToken {
		t.Error("auth token does not print the stored access token")
	}
	wantNoSecrets(t, map[string]string{"access token": c.alice.storedTokens().AccessToken}, r, cu)
}

// wantRefreshed checks that a request as alice succeeds and that
// laymanctl now holds another access token than old.
func (c *contract) wantRefreshed(t *testing.T, old string) {
	t.Helper()
	cu := c.alice.ok("", "api", "GET", "rest/current-user")
	if !strings.Contains(cu.stdout, `"alice"`) {
		t.Errorf("current-user after the refresh:\n%s", cu.stdout)
	}
	if c.alice.storedTokens().AccessToken == old {
		t.Error("laymanctl kept the dead access token")
	}
}

func (c *contract) refreshOnExpiry(t *testing.T) {
	old := c.alice.storedTokens().AccessToken
	c.tg.expire(t, old)
	c.alice.setStoredExpiry(time.Now().Add(-time.Minute))
	c.wantRefreshed(t, old)
}

func (c *contract) refreshOn32(t *testing.T) {
	old := c.alice.storedTokens().AccessToken
	c.tg.expire(t, old) // laymanctl still believes it valid for an hour
	c.wantRefreshed(t, old)
	refreshed := c.alice.storedTokens().AccessToken
	c.alice.ok("", "auth", "refresh")
	if c.alice.storedTokens().AccessToken == refreshed {
		t.Error("auth refresh kept the access token")
	}
}

// publish publishes every kind of data the suite covers.
func (c *contract) publish(t *testing.T) {
	f := c.files
	cases := []struct {
		name   string
		args   []string
		stored string // a file the server must keep byte for byte
	}{
		{"ct_geojson", []string{f.small, "--title", "Small cities"}, f.small},
		{"ct_shp", append(slices.Clone(f.shp), "--title", "Towns"), f.shp[2]},
		{"ct_zip", []string{f.zip, "--title", "Zipped cities"}, ""},
		{"ct_tif", []string{f.tif, "--style", f.sld, "--title", "Raster"}, f.tif},
		{"ct_qml", []string{f.small, "--style", f.qml, "--title", "QGIS styled"}, f.small},
		{"ct_big", []string{f.big, "--title", "Big points", "--read", "EVERYONE"}, f.big},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			t.Parallel() // Layman processes them side by side, as it does for several users
			args := append([]string{"layers", "publish", "-w", ws, "--name", cs.name, "--wait"}, cs.args...)
			c.alice.ok("", args...)
			c.wantComplete(t, cs.name)
			if cs.stored != "" {
				c.wantStored(t, cs.name, cs.stored)
			}
		})
	}
}

func (c *contract) get(t *testing.T) {
	uuid := c.uuid(t, "ct_geojson")
	byName := c.getLayer(t, c.ref("ct_geojson"))
	byUUID := c.getLayer(t, uuid)
	if str(byUUID, "name") != "ct_geojson" || str(byName, "uuid") != uuid {
		t.Errorf("get by UUID names %q, get by name has UUID %q; want ct_geojson, %s", str(byUUID, "name"), str(byName, "uuid"), uuid)
	}
	if str(byName, "title") != "Small cities" {
		t.Errorf("title %q, want Small cities", str(byName, "title"))
	}
}

func (c *contract) update(t *testing.T) {
	ref := c.ref("ct_geojson")
	c.alice.ok("", "layers", "update", ref, "--title", "Renamed cities", "--read", "EVERYONE", "--write", "alice", "--wait")
	v := c.wantComplete(t, "ct_geojson")
	if str(v, "title") != "Renamed cities" {
		t.Errorf("title after update %q", str(v, "title"))
	}
	read, _ := json.Marshal(v["access_rights"])
	if !strings.Contains(string(read), "EVERYONE") {
		t.Errorf("access rights after update: %s", read)
	}
	// New data: one more feature.
	data, err := os.ReadFile(c.files.small)
	if err != nil {
		t.Fatal(err)
	}
	more := bytes.Replace(data, []byte(`"features":[`), []byte(`"features":[
{"type":"Feature","properties":{"name":"Plzen","pop":170000},"geometry":{"type":"Point","coordinates":[13.38,49.75]}},`), 1)
	path := filepath.Join(t.TempDir(), "more.geojson")
	if err := os.WriteFile(path, more, 0o644); err != nil {
		t.Fatal(err)
	}
	c.alice.ok("", "layers", "update", ref, path, "--wait")
	c.wantComplete(t, "ct_geojson")
	c.wantStored(t, "ct_geojson", path)
}

// ctNames lists the ct_ layers of a `layers list -o json` output, in order.
func ctNames(t *testing.T, r result) []string {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("layers list -o json: %v\n%s", err, r.stdout)
	}
	var names []string
	for _, row := range rows {
		if n := str(row, "name"); strings.HasPrefix(n, "ct_") {
			names = append(names, n)
		}
	}
	return names
}

func (c *contract) list(t *testing.T) {
	all := ctNames(t, c.alice.ok("", "layers", "list", "-w", ws, "--limit", "2", "--all", "-o", "json"))
	for _, n := range []string{"ct_geojson", "ct_shp", "ct_zip", "ct_tif", "ct_qml", "ct_big"} {
		if !slices.Contains(all, n) {
			t.Errorf("layers list --all --limit 2 lacks %s: %v", n, all)
		}
	}
	if got := ctNames(t, c.alice.ok("", "layers", "list", "-w", ws, "--search", "Zipped", "-o", "json")); !slices.Equal(got, []string{"ct_zip"}) {
		t.Errorf("search Zipped: %v, want [ct_zip]", got)
	}
	ordered := ctNames(t, c.alice.ok("", "layers", "list", "-w", ws, "--order-by", "title", "-o", "json"))
	// Titles: Big points, QGIS styled, Raster, Renamed cities, Towns, Zipped cities.
	if want := []string{"ct_big", "ct_qml", "ct_tif", "ct_geojson", "ct_shp", "ct_zip"}; !slices.Equal(ordered, want) {
		t.Errorf("order by title: %v, want %v", ordered, want)
	}
	in := ctNames(t, c.alice.ok("", "layers", "list", "-w", ws, "--bbox", "-10,-10,-9,-9", "--bbox-crs", "EPSG:4326", "-o", "json"))
	if len(in) != 0 {
		t.Errorf("bbox in the ocean lists %v", in)
	}
	brno := ctNames(t, c.alice.ok("", "layers", "list", "-w", ws, "--bbox", "16.5,49.0,16.7,49.3", "--bbox-crs", "EPSG:4326", "-o", "json"))
	if !slices.Contains(brno, "ct_geojson") {
		t.Errorf("bbox around Brno lacks ct_geojson: %v", brno)
	}
	// The same box in S-JTSK, one of LAYMAN_OUTPUT_SRS_LIST; EPSG:3035 is not in it.
	krovak := ctNames(t, c.alice.ok("", "layers", "list", "-w", ws, "--bbox", "-608350,-1181470,-590255,-1149870", "--bbox-crs", "EPSG:5514", "-o", "json"))
	if !slices.Contains(krovak, "ct_geojson") {
		t.Errorf("bbox around Brno in EPSG:5514 lacks ct_geojson: %v", krovak)
	}
	wantLaymanError(t, c.alice.run("", "layers", "list", "-w", ws, "--bbox", "0,0,1,1", "--bbox-crs", "EPSG:3035"), 1, 2, 400)
	// Without an order Layman lists by workspace, name and type.
	if plain := ctNames(t, c.alice.ok("", "layers", "list", "-w", ws, "-o", "json")); len(plain) < 6 || !slices.IsSorted(plain) {
		t.Errorf("default order: %v, want sorted by name", plain)
	}
}

func (c *contract) thumbnailAndStyle(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "t.png")
	c.alice.ok("", "layers", "thumbnail", c.ref("ct_geojson"), "-O", png)
	if b, _ := os.ReadFile(png); !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Error("the thumbnail is not a PNG")
	}
	sld := filepath.Join(dir, "s.sld")
	c.alice.ok("", "layers", "style", c.ref("ct_tif"), "-O", sld)
	if b, _ := os.ReadFile(sld); !bytes.Contains(b, []byte("StyledLayerDescriptor")) {
		t.Errorf("the raster's style is not SLD: %.200s", b)
	}
	qml := filepath.Join(dir, "s.qml")
	c.alice.ok("", "layers", "style", c.ref("ct_qml"), "-O", qml)
	if b, _ := os.ReadFile(qml); !bytes.Contains(b, []byte("<qgis")) {
		t.Errorf("the QML-styled layer's style is not QML: %.200s", b)
	}
}

// interruptAndResume stops a chunked upload with Ctrl-C while the network
// holds its later chunks, then runs the resume command laymanctl printed.
func (c *contract) interruptAndResume(t *testing.T) {
	const passed, workers = 8, 2
	var mu sync.Mutex
	seen, held := 0, 0
	c.tg.proxy.setHold(func(r *http.Request) bool {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chunk") {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		seen++
		if seen <= passed {
			return false
		}
		held++
		return true
	})
	defer c.tg.proxy.setHold(nil)
	ctx := t.Context()
	cmd := c.alice.command(ctx, "", "layers", "publish", "-w", ws, "--name", "ct_resumed", "--chunk-size", "64KiB",
		"--parallel", "2", "--no-wait", c.files.big)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Each worker sends its chunks one after another: when both wait on a
	// held chunk, every earlier chunk has been answered.
	deadline := time.After(commandTimeout)
	for {
		mu.Lock()
		h := held
		mu.Unlock()
		if h >= workers {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("publish ended before the interrupt (%v):\n%s", err, stderr.String())
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("the upload did not reach the held chunks:\n%s", stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(commandTimeout):
		cmd.Process.Kill()
		t.Fatalf("publish did not stop after SIGINT:\n%s", stderr.String())
	}
	c.tg.proxy.setHold(nil)
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d after SIGINT, want 130:\n%s", code, stderr.String())
	}
	line := resumeLine.FindString(stderr.String())
	if line == "" {
		t.Fatalf("no resume command on stderr:\n%s", stderr.String())
	}
	resume := exec.CommandContext(ctx, "sh", "-c", strings.Replace(line, "laymanctl", shellQuote(laymanctlBin), 1)+" --wait")
	resume.Env, resume.Dir = c.alice.environ(), c.alice.home
	if out, err := resume.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	c.wantComplete(t, "ct_resumed")
	c.wantStored(t, "ct_resumed", c.files.big)
}

func (c *contract) maps(t *testing.T) {
	r := c.alice.run("", "maps", "publish", c.files.mapJSON, "-w", ws, "--name", "ct_map", "--title", "Contract map", "--wait")
	if c.tg.real != nil {
		// No thumbnail renderer on this server: the map ends INCOMPLETE.
		if r.code != 5 || !strings.Contains(r.stderr, "thumbnail") {
			t.Errorf("%s\nwant exit 5 naming the thumbnail", r)
		}
	} else if r.code != 0 {
		t.Errorf("%s", r)
	}
	get := c.alice.ok("", "maps", "get", c.ref("ct_map"), "-o", "json")
	if !strings.Contains(get.stdout, `"Contract map"`) {
		t.Errorf("maps get lacks the title:\n%s", get.stdout)
	}
	out := filepath.Join(t.TempDir(), "map.json")
	c.alice.ok("", "maps", "file", c.ref("ct_map"), "-O", out)
	var m map[string]any
	if b, err := os.ReadFile(out); err != nil || json.Unmarshal(b, &m) != nil || m["describedBy"] == nil {
		t.Errorf("maps file is not the composition: %v %.200s", err, b)
	}
	c.alice.ok("", "maps", "delete", c.ref("ct_map"), "--yes")
	if r := c.alice.run("", "maps", "get", c.ref("ct_map")); r.code == 0 {
		t.Errorf("the map is still there after delete")
	}
}

// mapNaming: without --name Layman names a map after the file's name key,
// else its title, never after the file name (map/filesystem/input_file.py).
func (c *contract) mapNaming(t *testing.T) {
	c.alice.ok("", "maps", "publish", c.files.mapJSON, "-w", ws, "--no-wait")
	named := c.ref("administrativni_cleneni_libereckeho_kraje") // the title of small_map.json
	c.alice.ok("", "maps", "get", named)
	c.alice.ok("", "maps", "delete", named, "--yes")
}

// anonymousPublish: with GRANT_PUBLISH_IN_PUBLIC_WORKSPACE and
// GRANT_CREATE_PUBLIC_WORKSPACE at EVERYONE (Layman's .env files,
// reallayman), a request without a token publishes in a new public
// workspace, and the layer is everyone's.
func (c *contract) anonymousPublish(t *testing.T) {
	const pub = "ct_public"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	url := c.tg.url + "/rest/layers"
	if c.tg.gen == 2 {
		url = c.tg.url + "/rest/workspaces/" + pub + "/layers"
	} else {
		_ = mw.WriteField("workspace", pub)
	}
	_ = mw.WriteField("name", "ct_anonymous")
	data, err := os.ReadFile(c.files.small)
	if err != nil {
		t.Fatal(err)
	}
	fw, _ := mw.CreateFormFile("file", "small.geojson")
	_, _ = fw.Write(data)
	_ = mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("anonymous POST: HTTP %d %s", resp.StatusCode, answer)
	}
	ref := pub + ":ct_anonymous"
	if got := c.alice.ok("", "layers", "get", ref, "--jq", ".access_rights.write[]").stdout; strings.TrimSpace(got) != "EVERYONE" {
		t.Errorf("write rights of an anonymous layer: %q, want EVERYONE", got)
	}
	c.alice.ok("", "layers", "delete", ref, "--yes")
}

// wantLaymanError checks an exit code and Layman's error code in the
// message.
func wantLaymanError(t *testing.T, r result, exit, code, status int) {
	t.Helper()
	want := fmt.Sprintf("Layman error %d (HTTP %d)", code, status)
	if r.code != exit || !strings.Contains(r.stderr, want) {
		t.Errorf("%s\nwant exit %d with %q", r, exit, want)
	}
}

func (c *contract) errors(t *testing.T) {
	t.Run("409 code 17 duplicate name", func(t *testing.T) {
		wantLaymanError(t, c.alice.run("", "layers", "publish", "-w", ws, "--name", "ct_zip", "--no-wait", c.files.small), 1, 17, 409)
	})
	t.Run("404 code 15", func(t *testing.T) {
		wantLaymanError(t, c.alice.run("", "layers", "get", c.missingRef("ct_nosuch", "6e4cbb4e-3a3a-4b8e-9d3f-0c1d2e3f4a5b")), 1, 15, 404)
	})
	t.Run("403 code 30 another user's layer", func(t *testing.T) {
		// ct_big is readable by everyone and writable by alice only.
		wantLaymanError(t, c.bob.run("", "layers", "delete", c.ref("ct_big"), "--yes"), 1, 30, 403)
	})
	t.Run("400 code 2 invalid map", func(t *testing.T) {
		path := c.changedMap(t, func(m map[string]any) {
			m["extent"] = "everywhere" // the schema wants four numbers
		})
		wantLaymanError(t, c.alice.run("", "maps", "publish", path, "-w", ws, "--name", "ct_bad_map", "--no-wait"), 1, 2, 400)
	})
	t.Run("400 code 4 map CRS", func(t *testing.T) {
		path := c.changedMap(t, func(m map[string]any) { m["projection"] = "epsg:2065" })
		wantLaymanError(t, c.alice.run("", "maps", "publish", path, "-w", ws, "--name", "ct_bad_crs", "--no-wait"), 1, 4, 400)
	})
	t.Run("400 code 59 layer by workspace and name", func(t *testing.T) {
		wms := c.getLayer(t, c.ref("ct_geojson"))["wms"].(map[string]any)["url"].(string)
		path := c.changedMap(t, func(m map[string]any) {
			m["layers"] = []any{map[string]any{"className": "HSLayers.Layer.WMS", "title": "Cities", "visibility": true, "metadata": map[string]any{},
				"url": strings.TrimSuffix(wms, "layman_wms/ows") + "ows", "params": map[string]any{"LAYERS": ws + ":ct_geojson"}}}
		})
		wantLaymanError(t, c.alice.run("", "maps", "publish", path, "-w", ws, "--name", "ct_by_name", "--no-wait"), 1, 59, 400)
	})
	t.Run("code 43 access rights", func(t *testing.T) {
		wantLaymanError(t, c.alice.run("", "layers", "publish", "-w", ws, "--name", "ct_rights", "--read", "nobody_ct", "--no-wait", c.files.small), 1, 43, 400)
	})
}

// changedMap writes small_map.json changed by change.
func (c *contract) changedMap(t *testing.T, change func(map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(c.files.mapJSON)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, _ = json.Marshal(m)
	path := filepath.Join(t.TempDir(), "map.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// missingRef names a layer that does not exist the way that reaches
// Layman: on 3.x a workspace:name is resolved by a list, which finds
// nothing, so the UUID goes to /rest/layers/<uuid>.
func (c *contract) missingRef(name, uuid string) string {
	if c.tg.gen == 3 {
		return uuid
	}
	return c.ref(name)
}

func (c *contract) usersRolesVersion(t *testing.T) {
	users := c.alice.ok("", "users", "list", "-o", "json")
	for _, u := range []string{"alice", "bob"} {
		if !strings.Contains(users.stdout, `"`+u+`"`) {
			t.Errorf("users list lacks %s:\n%s", u, users.stdout)
		}
	}
	roles := c.alice.ok("", "roles", "list", "-o", "json")
	if !strings.Contains(roles.stdout, "EVERYONE") {
		t.Errorf("roles list lacks EVERYONE:\n%s", roles.stdout)
	}
	v := c.alice.ok("", "version", "-o", "json")
	want := map[int]string{2: "2.4.0", 3: "3.0.0-dev"}[c.tg.gen]
	if !strings.Contains(v.stdout, want) {
		t.Errorf("version does not report %s:\n%s", want, v.stdout)
	}
}

func (c *contract) delete(t *testing.T) {
	c.alice.ok("", "layers", "delete", c.ref("ct_shp"), "--yes")
	wantLaymanError(t, c.alice.run("", "layers", "get", c.missingRef("ct_shp", c.uuid(t, "ct_shp"))), 1, 15, 404)
	// --all in a public workspace of the suite's own, so that nothing else
	// on a shared server goes.
	const pub = "ct_public"
	for _, n := range []string{"ct_one", "ct_two", "ct_three"} {
		c.alice.ok("", "layers", "publish", "-w", pub, "--name", n, "--no-wait", c.files.small)
	}
	c.alice.ok("", "layers", "delete", "-w", pub, "--all", "--yes")
	if left := ctNames(t, c.alice.ok("", "layers", "list", "-w", pub, "-o", "json")); len(left) != 0 {
		t.Errorf("after delete --all: %v", left)
	}
}

func (c *contract) logout(t *testing.T) {
	tok := c.alice.storedTokens().AccessToken
	c.alice.ok("", "auth", "logout")
	if r := c.alice.run("", "auth", "status"); r.code != 4 {
		t.Errorf("%s\nwant exit 4 after logout", r)
	}
	if c.tg.real != nil {
		resp := c.tg.real.Do(t, http.MethodGet, "/rest/current-user", tok)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("Layman accepts the access token after logout: HTTP %d", resp.StatusCode)
		}
	} else if c.tg.authz.Active(tok) {
		t.Error("the access token is still active after logout")
	}
}
