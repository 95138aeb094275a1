package laymantest

import "math"

// outputCRS is LAYMAN_OUTPUT_SRS_LIST of Layman's own .env files and
// reallayman (4326,3857,5514,32633,32634): the CRSs bbox_filter_crs and
// ordering_bbox_crs accept (common/rest.py get_crs_from_param).
var outputCRS = []string{"EPSG:4326", "EPSG:3857", "EPSG:5514", "EPSG:32633", "EPSG:32634"}

// toMercator turns a bbox given in crs into EPSG:3857, as the fake keeps
// bounding boxes, by its corners (PostGIS transforms the box as a polygon).
func toMercator(b *[4]float64, crs string) *[4]float64 {
	if b == nil || crs == "" || crs == "EPSG:3857" {
		return b
	}
	toLonLat := map[string]func(x, y float64) (float64, float64){
		"EPSG:4326":  func(x, y float64) (float64, float64) { return x, y },
		"EPSG:32633": utmToLonLat(33),
		"EPSG:32634": utmToLonLat(34),
		"EPSG:5514":  krovakToLonLat,
	}[crs]
	out := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, c := range [][2]float64{{b[0], b[1]}, {b[0], b[3]}, {b[2], b[1]}, {b[2], b[3]}} {
		x, y := lonLatToMercator(toLonLat(c[0], c[1]))
		out = [4]float64{math.Min(out[0], x), math.Min(out[1], y), math.Max(out[2], x), math.Max(out[3], y)}
	}
	return &out
}

func lonLatToMercator(lon, lat float64) (float64, float64) {
	const r = 20037508.342789244
	lat = math.Max(-85.06, math.Min(85.06, lat))
	return lon * r / 180, math.Log(math.Tan((90+lat)*math.Pi/360)) / (math.Pi / 180) * r / 180
}

const deg = math.Pi / 180

// utmToLonLat is the inverse Transverse Mercator of a northern UTM zone on
// WGS 84 (Snyder, Map Projections: A Working Manual, p. 63).
func utmToLonLat(zone int) func(e, n float64) (float64, float64) {
	const a, f, k0 = 6378137.0, 1 / 298.257223563, 0.9996
	e2 := f * (2 - f)
	ep2 := e2 / (1 - e2)
	e1 := (1 - math.Sqrt(1-e2)) / (1 + math.Sqrt(1-e2))
	lon0 := float64(zone*6-183) * deg
	return func(e, n float64) (float64, float64) {
		x := e - 500000
		mu := n / k0 / (a * (1 - e2/4 - 3*e2*e2/64 - 5*e2*e2*e2/256))
		phi := mu + (3*e1/2-27*math.Pow(e1, 3)/32)*math.Sin(2*mu) + (21*e1*e1/16-55*math.Pow(e1, 4)/32)*math.Sin(4*mu) +
			151*math.Pow(e1, 3)/96*math.Sin(6*mu) + 1097*math.Pow(e1, 4)/512*math.Sin(8*mu)
		sin, cos, tan := math.Sin(phi), math.Cos(phi), math.Tan(phi)
		c, t := ep2*cos*cos, tan*tan
		nu := a / math.Sqrt(1-e2*sin*sin)
		rho := a * (1 - e2) / math.Pow(1-e2*sin*sin, 1.5)
		d := x / (nu * k0)
		lat := phi - nu*tan/rho*(d*d/2-(5+3*t+10*c-4*c*c-9*ep2)*math.Pow(d, 4)/24+(61+90*t+298*c+45*t*t-252*ep2-3*c*c)*math.Pow(d, 6)/720)
		lon := lon0 + (d-(1+2*t+c)*math.Pow(d, 3)/6+(5-2*c+28*t-3*c*c+8*ep2+24*t*t)*math.Pow(d, 5)/120)/cos
		return lon / deg, lat / deg
	}
}

// krovakToLonLat is the inverse Krovak projection of EPSG:5514 (S-JTSK
// East North; EPSG Guidance Note 7-2, method 9819) on the Bessel
// ellipsoid, without the S-JTSK to WGS 84 datum shift: within about
// 150 m, enough for the fake's bbox filters.
func krovakToLonLat(east, north float64) (float64, float64) {
	const a, invF = 6377397.155, 299.1528128
	const latC, lonO, alphaC, latP, kP = 49.5 * deg, 24.833333333333333 * deg, 30.28813975277778 * deg, 78.5 * deg, 0.9999
	f := 1 / invF
	e2 := f * (2 - f)
	e := math.Sqrt(e2)
	bigA := a * math.Sqrt(1-e2) / (1 - e2*math.Pow(math.Sin(latC), 2))
	b := math.Sqrt(1 + e2*math.Pow(math.Cos(latC), 4)/(1-e2))
	gamma0 := math.Asin(math.Sin(latC) / b)
	t0 := math.Tan(math.Pi/4+gamma0/2) * math.Pow((1+e*math.Sin(latC))/(1-e*math.Sin(latC)), e*b/2) / math.Pow(math.Tan(math.Pi/4+latC/2), b)
	n := math.Sin(latP)
	r0 := kP * bigA / math.Tan(latP)
	// East North axes are the negated southing and westing.
	xs, yw := -north, -east
	r := math.Hypot(xs, yw)
	theta := math.Atan2(yw, xs)
	d := theta / n
	t := 2 * (math.Atan(math.Pow(r0/r, 1/n)*math.Tan(math.Pi/4+latP/2)) - math.Pi/4)
	u := math.Asin(math.Cos(alphaC)*math.Sin(t) - math.Sin(alphaC)*math.Cos(t)*math.Cos(d))
	v := math.Asin(math.Cos(t) * math.Sin(d) / math.Cos(u))
	lat := u
	for range 10 {
		lat = 2 * (math.Atan(math.Pow(t0, -1/b)*math.Pow(math.Tan(u/2+math.Pi/4), 1/b)*math.Pow((1+e*math.Sin(lat))/(1-e*math.Sin(lat)), e/2)) - math.Pi/4)
	}
	return (lonO - v/b) / deg, lat / deg
}
