package publish

import (
	"github.com/spf13/pflag"

	"github.com/laymanctl/laymanctl/client/upload"
)

// addLayerFlags binds the layer parameters shared by publish and update.
func addLayerFlags(fs *pflag.FlagSet, p *upload.LayerParams) {
	fs.StringVar(&p.Title, "title", "", "human-readable title")
	fs.StringVar(&p.Description, "description", "", "description")
	fs.StringVar(&p.CRS, "crs", "", "coordinate reference system of the data, e.g. EPSG:5514 (replaces a missing .prj)")
	fs.StringVar(&p.StylePath, "style", "", "style file: SLD or QML")
	addAccessFlags(fs, &p.Read, &p.Write)
	fs.StringVar(&p.TimeRegex, "time-regex", "", "regular expression picking the time out of raster file names (time series)")
	fs.StringVar(&p.TimeRegexFormat, "time-regex-format", "", "Java SimpleDateFormat pattern of the time --time-regex picks, e.g. yyyyMMdd (Layman hands it to GeoServer)")
	fs.StringVar(&p.OverviewResampling, "overview-resampling", "", "raster overview resampling: nearest, average, bilinear, cubic, ...")
	fs.StringVar(&p.ExternalTableURI, "external-table", "", "publish an existing PostGIS table: postgresql://host/db?schema=s&table=t")
}
