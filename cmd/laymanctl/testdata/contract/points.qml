<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.16.2-Hannover" styleCategories="AllStyleCategories">
  <renderer-v2 type="singleSymbol" forceraster="0" symbollevels="0" enableorderby="0">
    <symbols>
      <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
          <prop k="color" v="200,30,30,255"/>
          <prop k="name" v="circle"/>
          <prop k="size" v="3"/>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
  <fieldConfiguration>
    <field name="name" configurationFlags="None"/>
    <field name="pop" configurationFlags="None"/>
  </fieldConfiguration>
</qgis>
