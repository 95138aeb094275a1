package upload

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
)

// Style types, recognised like Layman does: by the XML root element.
const (
	StyleSLD = "sld"
	StyleQML = "qml"
)

// DetectStyle reads the style file only up to its root element and tells
// SLD (StyledLayerDescriptor) from QML (qgis).
func DetectStyle(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return styleType(f)
}

func styleType(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	// Only the root element's name is read, and it is ASCII in every
	// encoding a style comes in (Layman's own SLD says us-ascii, QGIS may
	// write ISO-8859-1): the bytes are read as they are.
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return "", errors.New("no XML root element")
		}
		if err != nil {
			return "", fmt.Errorf("not XML: %w", err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			switch el.Name.Local {
			case "StyledLayerDescriptor":
				return StyleSLD, nil
			case "qgis":
				return StyleQML, nil
			}
			return "", fmt.Errorf("root element <%s> is neither StyledLayerDescriptor (SLD) nor qgis (QML)", el.Name.Local)
		}
	}
}
