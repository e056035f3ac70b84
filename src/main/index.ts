// Electron main process entry (out/main/index.js). Everything lives in small modules;
// see README.md in this folder for how the shell is secured.
import { runApp } from './app'

runApp()
