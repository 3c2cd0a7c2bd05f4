; Inno Setup 6 script: turns PyInstaller's onedir build (dist\KlachtDesk) into one
; KlachtDesk-Setup-<version>.exe with a start-menu entry and an uninstaller.
;
; Built by `python installer/build.py --installer` on Windows (and so by the workflow
; .github/workflows/windows-installer.yml), which runs:
;
;   ISCC.exe /DMyAppVersion=<version from pyproject.toml> /DSourceDir=<dist>\KlachtDesk
;            /DIconFile=<repo>\resources\icons\klachtdesk.ico /O<dist> klachtdesk.iss
;
; Per-user installation (no administrator rights): the program goes to
; %LOCALAPPDATA%\Programs\KlachtDesk. The user's data (database, key file, log, settings)
; live in %LOCALAPPDATA%\KlachtDesk, a different folder that Setup never writes to, so
; uninstalling leaves them where they are (Inno Setup removes only what it installed).

#ifndef MyAppVersion
  #error Geef de versie mee: ISCC /DMyAppVersion=x.y.z klachtdesk.iss (installer/build.py doet dat)
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\KlachtDesk"
#endif
#ifndef IconFile
  #define IconFile "..\..\resources\icons\klachtdesk.ico"
#endif
#define MyAppName "KlachtDesk"
#define MyAppExeName "KlachtDesk.exe"

[Setup]
; The AppId identifies KlachtDesk for upgrades and the uninstaller: never change it.
AppId={{6AF2FB93-4B7D-49C7-A0E8-658E52B61D20}
AppName={#MyAppName}
AppVersion={#MyAppVersion}
AppVerName={#MyAppName} {#MyAppVersion}
AppPublisher=KlachtDesk
AppComments=Klachtenregistratie voor kleine verenigingen en woningcorporaties
; Numeric only (x.y.z); a version such as 1.0rc1 would need a separate number here.
VersionInfoVersion={#MyAppVersion}
; Per user: with PrivilegesRequired=lowest {autopf} is %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#MyAppName}
DefaultGroupName={#MyAppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
OutputBaseFilename=KlachtDesk-Setup-{#MyAppVersion}
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#MyAppExeName}
UninstallDisplayName={#MyAppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
; PyInstaller built a 64-bit program.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; An open KlachtDesk is closed (and restarted) through the Restart Manager on upgrades.
CloseApplications=yes

[Languages]
Name: "dutch"; MessagesFile: "compiler:Languages\Dutch.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; Everything PyInstaller made: KlachtDesk.exe (the window), klachtdesk-cli.exe (the command
; line and --self-test) and _internal\ with Python, Qt and the libraries.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#MyAppName}"; Filename: "{app}\{#MyAppExeName}"; Comment: "Klachtenregistratie"
Name: "{autoprograms}\{#MyAppName} - zelftest"; Filename: "{cmd}"; Parameters: "/k """"{app}\klachtdesk-cli.exe"" --self-test"""; WorkingDir: "{app}"; Comment: "Controleer of KlachtDesk op deze computer werkt"
Name: "{autodesktop}\{#MyAppName}"; Filename: "{app}\{#MyAppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#MyAppExeName}"; Description: "{cm:LaunchProgram,{#MyAppName}}"; Flags: nowait postinstall skipifsilent

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent() then
    MsgBox('KlachtDesk is verwijderd. Uw gegevens (de database, het sleutelbestand en de ' +
      'instellingen) staan nog in ' + ExpandConstant('{localappdata}\KlachtDesk') +
      '. Verwijder die map alleen als u de gegevens zeker niet meer nodig hebt; ' +
      'bewaar eerst een back-up.', mbInformation, MB_OK);
end;
