console.log("hotjar-send: not built yet");
