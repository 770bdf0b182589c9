console.log("hotjar-sandbox: not built yet");
