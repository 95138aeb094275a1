package laymantest

import (
	"math"
	"testing"
)

// Points from PROJ: printf '16.6 49.2\n' | gdaltransform -s_srs EPSG:4326 -t_srs EPSG:<code> -output_xy
func TestOutputCRSToLonLat(t *testing.T) {
	for _, c := range []struct {
		crs      string
		x, y     float64
		lon, lat float64
	}{
		{"EPSG:5514", -598682.812878571, -1160149.65226773, 16.6, 49.2},
		{"EPSG:5514", -743011.723488561, -1043823.1813884, 14.42, 50.08},
		{"EPSG:32633", 616556.55302976, 5450921.32974459, 16.6, 49.2},
		{"EPSG:32634", 428333.552496565, 5539109.8152988, 20, 50},
	} {
		b := toMercator(&[4]float64{c.x, c.y, c.x, c.y}, c.crs)
		wantX, wantY := lonLatToMercator(c.lon, c.lat)
		// Krovak without the datum shift: within 150 m (about 230 m in Mercator at 50°N).
		if math.Abs(b[0]-wantX) > 250 || math.Abs(b[1]-wantY) > 250 {
			t.Errorf("%s %v,%v: got %v,%v, want %v,%v", c.crs, c.x, c.y, b[0], b[1], wantX, wantY)
		}
	}
}
