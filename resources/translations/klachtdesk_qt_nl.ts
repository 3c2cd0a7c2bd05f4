<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!--
  Dutch for Qt's own dialogs where Qt's catalogue (qtbase_nl.qm) falls short. Installed after
  qtbase_nl by klachtdesk.ui.common.install_dutch, so these texts win.

  qtbase_nl dates from Qt 5: where Qt 6 changed a source text (a mnemonic added, a text moved
  to another class, a new group box), Qt shows English. Those texts are filled in here,
  together with a few of Qt's Dutch texts that read oddly next to Windows and macOS
  ("Verder" for Forward, "Pagegrootte", "Portret"/"Landschap", "Verwerpen" for Discard).

  Context, source and comment (Qt's disambiguation) must match Qt's source exactly. After a
  change, compile the .qm and commit both (tests/gui/test_qt_dutch.py checks they agree):

      pyside6-lrelease resources/translations/klachtdesk_qt_nl.ts
-->
<TS version="2.1" language="nl_NL" sourcelanguage="en">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>&amp;Zoeken in:</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>Bestands&amp;type:</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>Vooruit</translation>
    </message>
    <message>
        <source>Go forward</source>
        <translation>Ga vooruit</translation>
    </message>
    <message>
        <source>Parent Directory</source>
        <translation>Bovenliggende map</translation>
    </message>
    <message>
        <source>Go to the parent directory</source>
        <translation>Ga naar de bovenliggende map</translation>
    </message>
    <message>
        <source>Show </source>
        <extracomment>Followed by a column name in the header's menu: a check box per column</extracomment>
        <translation>Kolom </translation>
    </message>
    <message>
        <source>%1
File not found.
Please verify the correct file name was given.</source>
        <translation>%1
Dit bestand bestaat niet.
Controleer of u de juiste bestandsnaam hebt opgegeven.</translation>
    </message>
    <message>
        <source>%1
Directory not found.
Please verify the correct directory name was given.</source>
        <translation>%1
Deze map bestaat niet.
Controleer of u de juiste mapnaam hebt opgegeven.</translation>
    </message>
    <message>
        <source>Could not delete directory.</source>
        <translation>De map kan niet worden verwijderd.</translation>
    </message>
</context>
<context>
    <name>QFileSystemModel</name>
    <message>
        <source>Computer</source>
        <translation>Deze computer</translation>
    </message>
    <message>
        <source>My Computer</source>
        <translation>Deze computer</translation>
    </message>
</context>
<context>
    <name>QAbstractFileIconProvider</name>
    <message>
        <source>Drive</source>
        <translation>Station</translation>
    </message>
    <message>
        <source>Folder</source>
        <comment>All other platforms</comment>
        <translation>Map</translation>
    </message>
    <message>
        <source>File Folder</source>
        <comment>Match Windows Explorer</comment>
        <translation>Bestandsmap</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <comment>All other platforms</comment>
        <translation>Snelkoppeling</translation>
    </message>
    <message>
        <source>Alias</source>
        <comment>macOS Finder</comment>
        <translation>Alias</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Bestand</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Onbekend</translation>
    </message>
</context>
<context>
    <name>QMimeType</name>
    <message>
        <source>JSON document</source>
        <translation>JSON-document</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>Discard</source>
        <translation>Niet opslaan</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Opnieuw instellen</translation>
    </message>
</context>
<context>
    <name>QPrintSettingsOutput</name>
    <message>
        <source>Page &amp;Set:</source>
        <translation>Pagina&amp;set:</translation>
    </message>
    <message>
        <source>Double Sided Printing</source>
        <translation>Dubbelzijdig afdrukken</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Uit</translation>
    </message>
    <message>
        <source>Long side binding</source>
        <translation>Binden aan de lange zijde</translation>
    </message>
    <message>
        <source>Short side binding</source>
        <translation>Binden aan de korte zijde</translation>
    </message>
</context>
<context>
    <name>QPageSetupWidget</name>
    <message>
        <source>Page size:</source>
        <translation>Papierformaat:</translation>
    </message>
    <message>
        <source>Orientation</source>
        <translation>Afdrukstand</translation>
    </message>
    <message>
        <source>Portrait</source>
        <translation>Staand</translation>
    </message>
    <message>
        <source>Landscape</source>
        <translation>Liggend</translation>
    </message>
    <message>
        <source>Reverse portrait</source>
        <translation>Staand, omgekeerd</translation>
    </message>
    <message>
        <source>Reverse landscape</source>
        <translation>Liggend, omgekeerd</translation>
    </message>
    <message>
        <source>Page &amp;order:</source>
        <translation>Pagina&amp;volgorde:</translation>
    </message>
    <message>
        <source>Pages &amp;per sheet:</source>
        <translation>&amp;Pagina's per vel:</translation>
    </message>
</context>
<context>
    <name>QPrintPreviewDialog</name>
    <message>
        <source>Portrait</source>
        <translation>Staand</translation>
    </message>
    <message>
        <source>Landscape</source>
        <translation>Liggend</translation>
    </message>
</context>
<context>
    <name>QCupsJobWidget</name>
    <message>
        <source>Job</source>
        <translation>Taak</translation>
    </message>
    <message>
        <source>Job &amp;priority:</source>
        <translation>Taak&amp;prioriteit:</translation>
    </message>
    <message>
        <source>Scheduled &amp;printing:</source>
        <translation>&amp;Gepland afdrukken:</translation>
    </message>
    <message>
        <source>&amp;Billing information:</source>
        <translation>&amp;Factuurgegevens:</translation>
    </message>
    <message>
        <source>&amp;Start:</source>
        <comment>Banner page at start</comment>
        <translation>&amp;Begin:</translation>
    </message>
    <message>
        <source>&amp;End:</source>
        <comment>Banner page at end</comment>
        <translation>&amp;Einde:</translation>
    </message>
</context>
</TS>
